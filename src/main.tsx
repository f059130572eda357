// Entry point: mounts the React app and exposes a small test hook for end-to-end tests.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { useGpuStore } from './store/gpu';
import './ui/app.css';

// For end-to-end tests and the console: simulate a lost device to exercise the recovery path.
(window as unknown as { masklab: object }).masklab = { loseDevice: () => useGpuStore.getState().loseDevice() };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
