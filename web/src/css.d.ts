// esbuild loads .css files as text (web/build.mjs), for styles inside shadow roots.
declare module '*.css' {
  const text: string;
  export default text;
}
