import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { setApi } from './lib/api';

async function start() {
  // `npm run dev` then open /?mock: a browser-only mode with an in-memory
  // workspace. Compiled out of the production build (import.meta.env.DEV).
  if (import.meta.env.DEV && new URLSearchParams(location.search).has('mock')) {
    const { mockApi } = await import('../dev/mock');
    setApi(mockApi());
  }
  mount(App, { target: document.getElementById('app')! });
}

void start();
