// Sign in by a code sent to an email address, then show who is signed in.
// useSession and useUser come from AuthProvider; useDescope is the SDK for the OTP calls.
import { useState } from 'react';
import { useDescope, useSession, useUser } from '@descope/react-sdk';

export default function App() {
  const { isAuthenticated, isSessionLoading } = useSession();
  const { user, isUserLoading } = useUser();
  if (isSessionLoading || isUserLoading) return <p>Loading…</p>;
  return isAuthenticated ? <SignedIn user={user} /> : <SignIn />;
}

function SignIn() {
  const sdk = useDescope();
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');

  async function call(request, onSuccess) {
    setError('');
    const answer = await request;
    if (answer.ok) onSuccess?.(answer.data);
    else setError(answer.error?.errorDescription || 'Something went wrong');
  }
  const sendCode = (event) => {
    event.preventDefault();
    call(sdk.otp.signUpOrIn.email(email), (data) => setSentTo(data.maskedEmail || email));
  };
  // A successful verify stores the session; AuthProvider then re-renders App as signed in.
  const verify = (event) => {
    event.preventDefault();
    call(sdk.otp.verify.email(email, code));
  };

  return (
    <main>
      <h1>Sign in</h1>
      <form onSubmit={sendCode}>
        <input type="email" name="email" placeholder="you@example.com" required
               value={email} onChange={(e) => setEmail(e.target.value)} />
        <button type="submit">Send code</button>
      </form>
      {sentTo && (
        <form onSubmit={verify}>
          <input name="code" inputMode="numeric" autoComplete="one-time-code" placeholder="code" required
                 value={code} onChange={(e) => setCode(e.target.value)} />
          <button type="submit">Verify</button>
        </form>
      )}
      {sentTo && <p>Code sent to {sentTo} (the passgate console prints it).</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </main>
  );
}

function SignedIn({ user }) {
  const sdk = useDescope();
  return (
    <main>
      <h1>Signed in</h1>
      <p>Signed in as <strong data-testid="login-id">{user?.loginIds?.[0]}</strong> (user {user?.userId}).</p>
      <button type="button" onClick={() => sdk.logout()}>Sign out</button>
    </main>
  );
}
