// An OpenID Connect provider on loopback for passgate's tests: node's oidc-provider (an
// OpenID-certified implementation) with a login page of its own (oidc-provider's
// development page loads a web font from Google; nothing here leaves the machine), where
// any login name signs in. The account's claims come from the name typed:
//   alice@example.com             email alice@example.com, verified
//   unverified:bob@example.com    email bob@example.com, email_verified false
//   noemail:carol                 no email at all
//   alice@acme.test;groups=a,b    (any of the above) in the groups a and b (claim "groups")
// Configuration is one JSON argument:
//   {"port": 0, "issuer": "...", "clients": [...], "jwks": {...}?}
// It prints {"issuer": ..., "port": ...} on one line once it listens.
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);

function claimsOf(given) {
  const [login, groups] = given.split(';groups=');
  return { ...personOf(login), ...(groups ? { groups: groups.split(',') } : {}) };
}

function personOf(login) {
  if (login.startsWith('unverified:')) {
    const email = login.slice('unverified:'.length);
    return { email, email_verified: false, name: email.split('@')[0] };
  }
  if (login.startsWith('noemail:')) {
    return { name: login.slice('noemail:'.length) };
  }
  return { email: login, email_verified: true, name: login.split('@')[0], given_name: 'Given', family_name: 'Family' };
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  ...(config.jwks ? { jwks: config.jwks } : {}),
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'picture'],
    groups: ['groups'],
  },
  // The claims of the scopes asked for go into the ID token too (what Google and most
  // issuers do), not only to the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id.split(';groups=')[0], ...claimsOf(id) }),
  }),
  // Consent is taken as given (the recipe of oidc-provider's docs): the login page is the
  // only page a test walks through.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
});
provider.proxy = false;

const page = (uid) => `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head>
<body><h1>Loopback issuer</h1>
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
<label>Login <input required type="text" name="login" autofocus></label>
<label>Password <input required type="password" name="password"></label>
<button type="submit">Sign in</button>
</form></body></html>`;

async function formOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

// The interaction: the login page, and its form sending the user back through the provider.
provider.use(async (ctx, next) => {
  const route = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!route) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !route[2]) {
    ctx.type = 'html';
    ctx.body = page(details.uid);
    return undefined;
  }
  if (ctx.method === 'POST' && route[2]) {
    const login = (await formOf(ctx.req)).get('login');
    const url = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(url);
    return undefined;
  }
  return next();
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(JSON.stringify({ issuer: config.issuer, port }));
});
