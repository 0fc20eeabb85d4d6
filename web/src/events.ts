// What a view asks of <hf-app>, as events that bubble out of shadow roots: show another URL, or put new
// parameters into this one. (A same-site link needs neither: the app follows every <a> it sees clicked.)

/** NavigateDetail is what a `navigate` event asks the app to show. */
export interface NavigateDetail { url: string }

const send = (from: HTMLElement, name: string, detail: unknown): boolean =>
  from.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));

/** navigateTo asks for another view: a path and query of this site. */
export const navigateTo = (from: HTMLElement, url: string): boolean => send(from, 'navigate', { url } satisfies NavigateDetail);

/** changeParams asks for the current view with these parameters (v=1 is the app's to add). */
export const changeParams = (from: HTMLElement, params: URLSearchParams): boolean => send(from, 'params-change', params);
