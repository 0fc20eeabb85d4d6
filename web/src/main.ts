// Entry point of the hostflow web UI bundle: defines the custom elements used by index.html.
import './components/hf-app/hf-app.js';
