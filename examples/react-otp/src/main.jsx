// The app's root: AuthProvider gives every component the SDK, the session and the user.
// persistTokens and autoRefresh are on by default: the session survives a reload and is
// renewed before it expires.
import { createRoot } from 'react-dom/client';
import { AuthProvider } from '@descope/react-sdk';
import App from './App.jsx';

createRoot(document.getElementById('root')).render(
  <AuthProvider projectId={process.env.PASSGATE_PROJECT_ID} baseUrl={process.env.PASSGATE_URL}>
    <App />
  </AuthProvider>,
);
