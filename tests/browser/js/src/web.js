// The test page's script: @descope/web-js-sdk set up as an app would (persistTokens and
// autoRefresh on), for the project and passgate the query string names
//   web.html?projectId=P…&baseUrl=http://localhost:…
// and two calls for the test driver (tests/browser/sdk_page.py), which needs plain JSON back:
//   call('otp.verify.email', [loginId, code]) → {ok, code, data, error, thrown}
//   begin(...) / settle(id): the same in two steps, for a call that waits (enchanted links)
// `thrown` is the rejection of a call the browser refused to complete (e.g. blocked by CORS).
import createSdk from '@descope/web-js-sdk';

const query = new URLSearchParams(window.location.search);
window.sdk = createSdk({
  projectId: query.get('projectId'),
  baseUrl: query.get('baseUrl'),
  persistTokens: true,
  autoRefresh: true,
});

const answer = async (run) => {
  try {
    const { ok, code, data, error } = await run();
    return { ok, code: code ?? null, data: data ?? null, error: error ?? null, thrown: null };
  } catch (e) {
    return { ok: false, code: null, data: null, error: null, thrown: `${e.name}: ${e.message}` };
  }
};

const invoke = (path, args) => {
  const names = path.split('.');
  const owner = names.slice(0, -1).reduce((target, name) => target[name], window.sdk);
  // The driver sends None as null; the SDK's optional arguments want undefined.
  return owner[names.at(-1)](...args.map((arg) => (arg === null ? undefined : arg)));
};

const pending = new Map();
window.call = (path, args = []) => answer(() => invoke(path, args));
window.begin = (path, args = []) => {
  const id = pending.size + 1;
  pending.set(id, answer(() => invoke(path, args)));
  return id;
};
window.settle = (id) => pending.get(id);
