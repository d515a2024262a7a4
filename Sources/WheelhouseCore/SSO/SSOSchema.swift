import GRDB

/// Migration "v29-sso" (issue 16): an organization's OpenID Connect configuration (one row, the
/// client secret sealed with the master key, the discovery document's result kept beside it),
/// its verified domains, the break-glass Owners, and the sign-in attempts in flight (`ssoFlow`:
/// only hashes of `state` and `nonce`; the PKCE verifier and the code sealed, deleted with the row).
enum SSOSchema {
    static let sql = """
        CREATE TABLE ssoConfig (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            issuer TEXT NOT NULL CHECK (length(issuer) <= 500),
            clientId TEXT NOT NULL CHECK (length(clientId) <= 200),
            sealedSecret BLOB, keyVersion INTEGER, secretHint TEXT,
            scopes TEXT NOT NULL CHECK (length(scopes) <= 300),
            jit INTEGER NOT NULL DEFAULT 0 CHECK (jit IN (0, 1)),
            defaultRole TEXT NOT NULL DEFAULT 'member' CHECK (defaultRole IN ('admin', 'member')),
            version INTEGER NOT NULL DEFAULT 1,
            updatedAt DATETIME NOT NULL,
            discoveryState TEXT CHECK (discoveryState IN ('queued', 'running')),
            discoveryRequestedAt DATETIME,
            discoveryRequestedBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            discoveryClaim TEXT, discoveryClaimedAt DATETIME,
            discoveryStatus TEXT CHECK (discoveryStatus IN ('ok', 'failed')),
            discoveryError TEXT, discoveredAt DATETIME,
            authorizationEndpoint TEXT, tokenEndpoint TEXT, jwks TEXT, keySummary TEXT,
            enforced INTEGER NOT NULL DEFAULT 0 CHECK (enforced IN (0, 1)),
            testedAt DATETIME, testedBy INTEGER REFERENCES user(id) ON DELETE SET NULL, testedEmail TEXT,
            testedUserId INTEGER REFERENCES user(id) ON DELETE SET NULL
        );
        CREATE INDEX ssoConfig_discovery ON ssoConfig(discoveryState) WHERE discoveryState IS NOT NULL;
        CREATE TABLE ssoBreakGlass (
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            PRIMARY KEY (orgId, userId)
        );
        CREATE TABLE ssoDomain (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            domain TEXT NOT NULL CHECK (length(domain) <= 253),
            token TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'verified', 'failed')),
            lastAnswer TEXT, lastCheckedAt DATETIME, verifiedAt DATETIME,
            checkState TEXT CHECK (checkState IN ('queued', 'running')),
            checkClaim TEXT, checkClaimedAt DATETIME, checkRequestedAt DATETIME,
            checkRequestedBy INTEGER REFERENCES user(id) ON DELETE SET NULL,
            createdAt DATETIME NOT NULL,
            UNIQUE (orgId, domain)
        );
        -- A domain is verified by one organization at most.
        CREATE UNIQUE INDEX ssoDomain_verified ON ssoDomain(domain) WHERE state = 'verified';
        CREATE INDEX ssoDomain_check ON ssoDomain(checkState, checkRequestedAt) WHERE checkState IS NOT NULL;
        CREATE TABLE ssoFlow (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            stateHash BLOB NOT NULL UNIQUE,
            nonceHash BLOB NOT NULL,
            browserHash BLOB NOT NULL,
            purpose TEXT NOT NULL CHECK (purpose IN ('signIn', 'test')),
            testerId INTEGER REFERENCES user(id) ON DELETE CASCADE,
            sealed BLOB NOT NULL, keyVersion INTEGER NOT NULL,
            createdAt DATETIME NOT NULL, expiresAt DATETIME NOT NULL,
            callbackAt DATETIME,
            exchangeState TEXT CHECK (exchangeState IN ('queued', 'running', 'done', 'failed')),
            exchangeClaim TEXT, exchangeClaimedAt DATETIME,
            resultEmail TEXT, resultName TEXT, failure TEXT, finishedAt DATETIME, consumedAt DATETIME
        );
        CREATE INDEX ssoFlow_exchange ON ssoFlow(exchangeState) WHERE exchangeState IN ('queued', 'running');
        CREATE INDEX ssoFlow_expiry ON ssoFlow(expiresAt);
        """
}
