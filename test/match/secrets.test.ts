import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, type Redaction, redactSecrets, type SecretKind } from "../../src/match/secrets.js";

// Obviously fake, correctly shaped values. Nothing here is a real credential.
const R = REDACTED;
const b64url = (s: string): string => Buffer.from(s).toString("base64url");
const JWT = [
  b64url(JSON.stringify({ alg: "HS256", typ: "JWT" })),
  b64url(JSON.stringify({ sub: "fake-user", name: "Fake Person", iat: 1700000000 })),
  b64url("fake-signature-not-real-0123456789"),
].join(".");
const GHP = `ghp_${"Fake".repeat(9)}`;
const GHS = `ghs_${"FakeToken0".repeat(3)}FakeTo`;
const AKIA = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const XOXB = `xoxb-0000000000-0000000000000-${"Fake".repeat(6)}`;
const AIZA = `AIza${"FakeFake".repeat(4)}Fak`;
const NPM = `npm_${"Fake".repeat(9)}`;
const GLPAT = "glpat-FakeFakeFake12345678";
const SENDGRID = `SG.FakeFakeFakeFake1234.${"Fake".repeat(10)}123`;
const STRIPE = `sk_live_${"Fake".repeat(6)}`;
const OPENAI = `sk-proj-${"Fake0123456789".repeat(3)}`;
const DOCKER_PAT = `dckr_pat_${"Fake".repeat(6)}1`;
const PEM_LINES = [
  "MIIEowIBAAKCAQEAFakeKeyMaterial0FakeKeyMaterial0FakeKeyMaterial0",
  "FakeKeyMaterial1FakeKeyMaterial1FakeKeyMaterial1FakeKeyMaterial1",
  "FakeKeyMaterial2+FakeKeyMaterial2/FakeKeyMaterial2==",
];

function kinds(r: Redaction): SecretKind[] {
  return r.found.map((f) => f.kind);
}

/** Replacing the reported ranges of the original with REDACTED must give the reported text. */
function rebuild(input: string, r: Redaction): string {
  let out = "";
  let at = 0;
  for (const f of r.found) {
    out += input.slice(at, f.start) + REDACTED;
    at = f.end;
  }
  return out + input.slice(at);
}

/** Found ranges are in order, non-empty, disjoint and inside the input, and they account for the output. */
function expectWellFormed(input: string, r: Redaction): void {
  let last = 0;
  const misplaced = r.found.filter((f) => {
    const bad = f.start < last || f.end <= f.start || f.end > input.length;
    last = f.end;
    return bad;
  });
  expect(misplaced).toEqual([]);
  expect(rebuild(input, r) === r.text).toBe(true);
}

describe("redactSecrets: the examples of the brief", () => {
  it.each([
    ["Server=db;User Id=sa;Password=Hunter2!;", `Server=db;User Id=sa;Password=${R};`, "connection-string"],
    ["postgres://app:s3cret@db:5432/x", `postgres://app:${R}@db:5432/x`, "url-password"],
    ["Authorization: Bearer abc.def", `Authorization: Bearer ${R}`, "authorization-header"],
  ])("redacts only the value of %j", (paste, redacted, kind) => {
    const r = redactSecrets(paste);
    expect(r.text).toBe(redacted);
    expect(kinds(r)).toEqual([kind]);
  });

  it("reports offsets of the replaced value in the original text", () => {
    const paste = "postgres://app:s3cret@db:5432/x";
    expect(redactSecrets(paste).found).toEqual([{ kind: "url-password", start: 15, end: 21 }]);
  });

  it("keeps the BEGIN and END lines of a private key and replaces the body", () => {
    const paste = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_LINES.join("\n")}\n-----END RSA PRIVATE KEY-----`;
    expect(redactSecrets(paste).text).toBe(
      `-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----`,
    );
  });

  it.each([
    "password=[redacted]",
    "postgres://app:[redacted]@db:5432/x",
    "Authorization: Bearer [redacted]",
    "Server=db;Password=[redacted];",
    "-----BEGIN PRIVATE KEY-----\n[redacted]\n-----END PRIVATE KEY-----",
    '{"password": "[redacted]"}',
    "Cookie: session=[redacted]; theme=[redacted]",
    "mysql -u root -p[redacted]",
    "curl -u admin:[redacted] https://x",
  ])("never treats [redacted] itself as a secret: %j", (paste) => {
    expect(redactSecrets(paste)).toEqual({ text: paste, found: [] });
  });

  it("handles an empty paste", () => {
    expect(redactSecrets("")).toEqual({ text: "", found: [] });
  });
});

interface SecretPaste {
  name: string;
  paste: string;
  redacted: string;
  kinds: SecretKind[];
}

const SECRET_PASTES: SecretPaste[] = [
  {
    name: "SQL Server login error with an ADO.NET connection string",
    paste:
      "System.Data.SqlClient.SqlException (0x80131904): Login failed for user 'sa'.\n" +
      "Connection string: Server=tcp:db01,1433;Database=Orders;User Id=sa;Password=Hunter2!Fake;Encrypt=True;",
    redacted:
      "System.Data.SqlClient.SqlException (0x80131904): Login failed for user 'sa'.\n" +
      `Connection string: Server=tcp:db01,1433;Database=Orders;User Id=sa;Password=${R};Encrypt=True;`,
    kinds: ["connection-string"],
  },
  {
    name: "a connection-string password with spaces, ended by a semicolon",
    paste: "Data Source=db01;Initial Catalog=App;User ID=app;Password=fake pass phrase 9; Connect Timeout=30",
    redacted: `Data Source=db01;Initial Catalog=App;User ID=app;Password=${R}; Connect Timeout=30`,
    kinds: ["connection-string"],
  },
  {
    name: "a quoted connection-string password holding a semicolon",
    paste: 'Server=db01;Uid=app;Pwd="fa;ke9";Database=x',
    redacted: `Server=db01;Uid=app;Pwd="${R}";Database=x`,
    kinds: ["connection-string"],
  },
  {
    name: "an ODBC braced password",
    paste:
      "[Microsoft][ODBC Driver 17 for SQL Server]Login failed. Driver={ODBC Driver 17};Server=x;UID=sa;PWD={f;ke}}9};",
    redacted: `[Microsoft][ODBC Driver 17 for SQL Server]Login failed. Driver={ODBC Driver 17};Server=x;UID=sa;PWD={${R}};`,
    kinds: ["connection-string"],
  },
  {
    name: "a JDBC SQL Server URL with the password as a property",
    paste:
      "com.microsoft.sqlserver.jdbc.SQLServerException: Login failed for user 'app'. " +
      "url=jdbc:sqlserver://db01:1433;databaseName=shop;user=app;password=Fak3Jdbc!;encrypt=true",
    redacted:
      "com.microsoft.sqlserver.jdbc.SQLServerException: Login failed for user 'app'. " +
      `url=jdbc:sqlserver://db01:1433;databaseName=shop;user=app;password=${R};encrypt=true`,
    kinds: ["connection-string"],
  },
  {
    name: "an Azure Storage connection string",
    paste:
      "Azure.RequestFailedException: Server failed to authenticate the request.\n" +
      "DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey=FakeKey0123456789+/FakeKey0123456789==;EndpointSuffix=core.windows.net",
    redacted:
      "Azure.RequestFailedException: Server failed to authenticate the request.\n" +
      `DefaultEndpointsProtocol=https;AccountName=fakeacct;AccountKey=${R};EndpointSuffix=core.windows.net`,
    kinds: ["connection-string"],
  },
  {
    name: "an Azure Service Bus connection string",
    paste:
      "UnauthorizedAccessException: Put token failed. Endpoint=sb://fake-ns.servicebus.windows.net/;" +
      "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=FakeSasKey0123456789FakeSasKey=",
    redacted:
      "UnauthorizedAccessException: Put token failed. Endpoint=sb://fake-ns.servicebus.windows.net/;" +
      `SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${R}`,
    kinds: ["connection-string"],
  },
  {
    name: "a Node error with a Postgres URL",
    paste:
      "Error: connect ECONNREFUSED 10.0.0.5:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n" +
      "DATABASE_URL=postgres://app:s3cretFake@db.internal:5432/orders",
    redacted:
      "Error: connect ECONNREFUSED 10.0.0.5:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n" +
      `DATABASE_URL=postgres://app:${R}@db.internal:5432/orders`,
    kinds: ["url-password"],
  },
  {
    name: "a MongoDB SRV URL (Slack-escaped query string)",
    paste:
      "MongoServerSelectionError: bad auth : Authentication failed. " +
      "mongodb+srv://svc:Fak3Mongo@cluster0.abcde.mongodb.net/?retryWrites=true&amp;w=majority",
    redacted:
      "MongoServerSelectionError: bad auth : Authentication failed. " +
      `mongodb+srv://svc:${R}@cluster0.abcde.mongodb.net/?retryWrites=true&amp;w=majority`,
    kinds: ["url-password"],
  },
  {
    name: "a Redis URL with an empty user name",
    paste: "ReplyError: WRONGPASS invalid username-password pair (redis://:Fak3Redis@cache:6379/0)",
    redacted: `ReplyError: WRONGPASS invalid username-password pair (redis://:${R}@cache:6379/0)`,
    kinds: ["url-password"],
  },
  {
    name: "an AMQP URL whose password holds an @",
    paste:
      "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN amqp://guest:f@ke9@mq:5672/",
    redacted: `ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN amqp://guest:${R}@mq:5672/`,
    kinds: ["url-password"],
  },
  {
    name: "an SMB URL with a domain",
    paste: "mount error(13): Permission denied smb://CORP;jdoe:Fak3Smb@fs01/share",
    redacted: `mount error(13): Permission denied smb://CORP;jdoe:${R}@fs01/share`,
    kinds: ["url-password"],
  },
  {
    name: "a Slack link whose URL and label both carry the password",
    paste: "can't open <https://admin:Fak3Admin@nas.local/share|https://admin:Fak3Admin@nas.local/share>",
    redacted: `can't open <https://admin:${R}@nas.local/share|https://admin:${R}@nas.local/share>`,
    kinds: ["url-password", "url-password"],
  },
  {
    name: "a Java stack trace with a JDBC URL carrying user and password",
    paste:
      "java.sql.SQLException: Access denied for user 'root'@'10.0.0.7' (using password: YES)\n" +
      "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:129)\n" +
      "\tat com.zaxxer.hikari.pool.HikariPool.&lt;init&gt;(HikariPool.java:115)\n" +
      "Caused by: jdbc:mysql://root:Fak3R00t@db01:3306/shop",
    redacted:
      "java.sql.SQLException: Access denied for user 'root'@'10.0.0.7' (using password: YES)\n" +
      "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:129)\n" +
      "\tat com.zaxxer.hikari.pool.HikariPool.&lt;init&gt;(HikariPool.java:115)\n" +
      `Caused by: jdbc:mysql://root:${R}@db01:3306/shop`,
    kinds: ["url-password"],
  },
  {
    name: "a JDBC URL with the password in the query (&amp; separated)",
    paste: "Caused by: url=jdbc:mysql://db01:3306/shop?user=app&amp;password=Fak3Pass!&amp;useSSL=false",
    redacted: `Caused by: url=jdbc:mysql://db01:3306/shop?user=app&amp;password=${R}&amp;useSSL=false`,
    kinds: ["password-pair"],
  },
  {
    name: "an Oracle thin JDBC URL",
    paste:
      "ORA-01017: invalid username/password; logon denied (jdbc:oracle:thin:scott/Fak3Tiger@db01:1521:ORCL)",
    redacted: `ORA-01017: invalid username/password; logon denied (jdbc:oracle:thin:scott/${R}@db01:1521:ORCL)`,
    kinds: ["url-password"],
  },
  {
    name: "a git remote URL with an installation token",
    paste:
      "fatal: unable to access 'https://x-access-token:" +
      GHS +
      "@github.com/acme/api.git/': The requested URL returned error: 403",
    redacted: `fatal: unable to access 'https://x-access-token:${R}@github.com/acme/api.git/': The requested URL returned error: 403`,
    kinds: ["github-token"],
  },
  {
    name: "a GitLab clone URL with a personal access token",
    paste: `git clone https://oauth2:${GLPAT}@gitlab.example.com/grp/proj.git\nremote: HTTP Basic: Access denied`,
    redacted: `git clone https://oauth2:${R}@gitlab.example.com/grp/proj.git\nremote: HTTP Basic: Access denied`,
    kinds: ["api-key"],
  },
  {
    name: 'a curl command with -H "Authorization: Bearer <jwt>"',
    paste:
      `curl -H "Authorization: Bearer ${JWT}" https://api.example.com/v1/orders\n` +
      '{"error":"invalid_token","error_description":"The access token expired"}',
    redacted:
      `curl -H "Authorization: Bearer ${R}" https://api.example.com/v1/orders\n` +
      '{"error":"invalid_token","error_description":"The access token expired"}',
    kinds: ["jwt"],
  },
  {
    name: "a curl command with Basic credentials (Slack-escaped response line)",
    paste:
      "curl -v -H 'Authorization: Basic ZmFrZXVzZXI6ZmFrZXBhc3M=' https://ci.example.com/api/json\n&lt; HTTP/1.1 401 Unauthorized",
    redacted: `curl -v -H 'Authorization: Basic ${R}' https://ci.example.com/api/json\n&lt; HTTP/1.1 401 Unauthorized`,
    kinds: ["authorization-header"],
  },
  {
    name: "a GitHub token in an Authorization: token header",
    paste: `curl -H "Authorization: token ${GHP}" https://api.github.com/user\n{"message":"Bad credentials"}`,
    redacted: `curl -H "Authorization: token ${R}" https://api.github.com/user\n{"message":"Bad credentials"}`,
    kinds: ["github-token"],
  },
  {
    name: "a Python requests call with a dict of headers",
    paste:
      "requests.exceptions.HTTPError: 401 Client Error: Unauthorized\n" +
      "headers={'Authorization': 'Token fake0123456789abcdef', 'Accept': 'application/json'}",
    redacted:
      "requests.exceptions.HTTPError: 401 Client Error: Unauthorized\n" +
      `headers={'Authorization': 'Token ${R}', 'Accept': 'application/json'}`,
    kinds: ["authorization-header"],
  },
  {
    name: "a Proxy-Authorization header",
    paste: "407 Proxy Authentication Required\nProxy-Authorization: Basic ZmFrZTpmYWtlcHJveHk=",
    redacted: `407 Proxy Authentication Required\nProxy-Authorization: Basic ${R}`,
    kinds: ["authorization-header"],
  },
  {
    name: "an X-Api-Key header",
    paste: 'curl -H "X-Api-Key: FakeKey-0123456789abcdef" https://api.example.com\n{"message":"Forbidden"}',
    redacted: `curl -H "X-Api-Key: ${R}" https://api.example.com\n{"message":"Forbidden"}`,
    kinds: ["authorization-header"],
  },
  {
    name: "an Azure OpenAI api-key header",
    paste: "api-key: Fak3AzureOpenAI0123\n401 Access denied due to invalid subscription key",
    redacted: `api-key: ${R}\n401 Access denied due to invalid subscription key`,
    kinds: ["authorization-header"],
  },
  {
    name: "a Cookie header with session values",
    paste:
      "GET /admin HTTP/1.1\nCookie: sessionid=FakeSess1234567890; csrftoken=FakeCsrf0987654321\n403 Forbidden",
    redacted: `GET /admin HTTP/1.1\nCookie: sessionid=${R}; csrftoken=${R}\n403 Forbidden`,
    kinds: ["authorization-header", "authorization-header"],
  },
  {
    name: "a bare Bearer token in a log line",
    paste: "2024-05-01T10:00:00Z WARN upstream rejected Bearer Fak3Tok3nAbcdefghij0123 (401)",
    redacted: `2024-05-01T10:00:00Z WARN upstream rejected Bearer ${R} (401)`,
    kinds: ["authorization-header"],
  },
  {
    name: "a docker login error with a token on the command line",
    paste:
      `$ docker login -u ci-bot -p ${DOCKER_PAT} registry.example.com\n` +
      "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n" +
      'Error response from daemon: Get "https://registry.example.com/v2/": unauthorized: incorrect username or password',
    redacted:
      `$ docker login -u ci-bot -p ${R} registry.example.com\n` +
      "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n" +
      'Error response from daemon: Get "https://registry.example.com/v2/": unauthorized: incorrect username or password',
    kinds: ["api-key"],
  },
  {
    name: "a .env excerpt",
    paste:
      "# .env\nAPP_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD=correct-horse-battery-staple\n" +
      `STRIPE_SECRET_KEY=${STRIPE}\nSESSION_SECRET="s3ss10n-fake-secret"\nPORT=3000`,
    redacted:
      `# .env\nAPP_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD=${R}\n` +
      `STRIPE_SECRET_KEY=${R}\nSESSION_SECRET="${R}"\nPORT=3000`,
    kinds: ["password-pair", "api-key", "password-pair"],
  },
  {
    name: "an AWS CLI credentials file",
    paste:
      `$ cat ~/.aws/credentials\n[default]\naws_access_key_id = ${AKIA}\naws_secret_access_key = ${AWS_SECRET}\n` +
      "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
    redacted:
      `$ cat ~/.aws/credentials\n[default]\naws_access_key_id = ${R}\naws_secret_access_key = ${R}\n` +
      "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
    kinds: ["aws-key", "aws-key"],
  },
  {
    name: "aws sts output as JSON",
    paste: `{"Credentials": {"AccessKeyId": "ASIAFAKEFAKEFAKE1234", "SecretAccessKey": "${AWS_SECRET}", "SessionToken": "FakeSessionToken0123456789"}}`,
    redacted: `{"Credentials": {"AccessKeyId": "${R}", "SecretAccessKey": "${R}", "SessionToken": "${R}"}}`,
    kinds: ["aws-key", "aws-key", "password-pair"],
  },
  {
    name: "a PEM key pasted with an SSL error",
    paste:
      "SSL_CTX_use_PrivateKey_file failed: error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch\n" +
      `-----BEGIN RSA PRIVATE KEY-----\n${PEM_LINES.join("\n")}\n-----END RSA PRIVATE KEY-----\nnginx: [emerg] cannot load certificate key`,
    redacted:
      "SSL_CTX_use_PrivateKey_file failed: error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch\n" +
      `-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----\nnginx: [emerg] cannot load certificate key`,
    kinds: ["private-key"],
  },
  {
    name: "an encrypted PEM key with headers",
    paste: `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n${PEM_LINES.join("\n")}\n-----END RSA PRIVATE KEY-----`,
    redacted: `-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----`,
    kinds: ["private-key"],
  },
  {
    name: "a truncated OpenSSH key followed by the error",
    paste: `\`\`\`\n-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_LINES[0]}\n${PEM_LINES[1]}\nLoad key "/home/ci/.ssh/id_ed25519": invalid format\n\`\`\``,
    redacted: `\`\`\`\n-----BEGIN OPENSSH PRIVATE KEY-----\n${R}\nLoad key "/home/ci/.ssh/id_ed25519": invalid format\n\`\`\``,
    kinds: ["private-key"],
  },
  {
    name: "a GCP service-account JSON with the key escaped inside a string",
    paste: `google.auth.exceptions.RefreshError: invalid_grant\n{"type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": "-----BEGIN PRIVATE KEY-----\\n${PEM_LINES[0]}\\n${PEM_LINES[1]}\\n-----END PRIVATE KEY-----\\n"}`,
    redacted: `google.auth.exceptions.RefreshError: invalid_grant\n{"type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": "-----BEGIN PRIVATE KEY-----\\n${R}\\n-----END PRIVATE KEY-----\\n"}`,
    kinds: ["private-key"],
  },
  {
    name: "a Slack webhook URL",
    paste:
      "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"deploy done\"}' " +
      "https://hooks.slack.com/services/T0FAKE123/B0FAKE456/FakeFakeFakeFakeFake1234\ninvalid_payload",
    redacted:
      "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"deploy done\"}' " +
      `https://hooks.slack.com/services/T0FAKE123/B0FAKE456/${R}\ninvalid_payload`,
    kinds: ["slack-token"],
  },
  {
    name: "a Slack bot token in a Python error",
    paste:
      "slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://www.slack.com/api/chat.postMessage)\n" +
      `The server responded with: {'ok': False, 'error': 'invalid_auth'}\nclient = WebClient(token="${XOXB}")`,
    redacted:
      "slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://www.slack.com/api/chat.postMessage)\n" +
      `The server responded with: {'ok': False, 'error': 'invalid_auth'}\nclient = WebClient(token="${R}")`,
    kinds: ["slack-token"],
  },
  {
    name: "a kubeconfig with a service-account token",
    paste: `users:\n- name: ci\n  user:\n    token: ${JWT}\nerror: You must be logged in to the server (Unauthorized)`,
    redacted: `users:\n- name: ci\n  user:\n    token: ${R}\nerror: You must be logged in to the server (Unauthorized)`,
    kinds: ["jwt"],
  },
  {
    name: "a kubeconfig with client-key-data",
    paste:
      "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZha2U=\n" +
      "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpGYWtlRmFrZQ==\n" +
      "Unable to connect to the server: x509: certificate signed by unknown authority",
    redacted:
      "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZha2U=\n" +
      `    client-key-data: ${R}\n` +
      "Unable to connect to the server: x509: certificate signed by unknown authority",
    kinds: ["private-key"],
  },
  {
    name: "mysql -p immediately followed by the password",
    paste:
      "$ mysql -u root -pFak3Root! -h db01 shop\nERROR 2003 (HY000): Can't connect to MySQL server on 'db01:3306' (111)",
    redacted: `$ mysql -u root -p${R} -h db01 shop\nERROR 2003 (HY000): Can't connect to MySQL server on 'db01:3306' (111)`,
    kinds: ["password-pair"],
  },
  {
    name: "sqlcmd -P with the password",
    paste:
      "C:\\> sqlcmd -S db01 -U sa -P Fak3Sql!pw -Q \"SELECT 1\"\nSqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Login failed for user 'sa'..",
    redacted: `C:\\> sqlcmd -S db01 -U sa -P ${R} -Q "SELECT 1"\nSqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Login failed for user 'sa'..`,
    kinds: ["password-pair"],
  },
  {
    name: "PGPASSWORD on the command line",
    paste:
      "$ PGPASSWORD=Fak3pw psql -h db -U postgres\n" +
      'psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user "postgres"',
    redacted:
      `$ PGPASSWORD=${R} psql -h db -U postgres\n` +
      'psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user "postgres"',
    kinds: ["password-pair"],
  },
  {
    name: "libpq keywords inside a Python string",
    paste:
      'psycopg2.OperationalError: FATAL: password authentication failed\nconn = psycopg2.connect("host=db dbname=app user=app password=Fak3Psy")',
    redacted: `psycopg2.OperationalError: FATAL: password authentication failed\nconn = psycopg2.connect("host=db dbname=app user=app password=${R}")`,
    kinds: ["password-pair"],
  },
  {
    name: "curl -u user:password",
    paste: "curl -u admin:Fak3Curl https://nexus.example.com/service/rest/v1/status\n401 Unauthorized",
    redacted: `curl -u admin:${R} https://nexus.example.com/service/rest/v1/status\n401 Unauthorized`,
    kinds: ["password-pair"],
  },
  {
    name: "sqlplus user/password@db",
    paste: "$ sqlplus scott/Fak3Tiger@ORCLPDB1\nORA-01017: invalid username/password; logon denied",
    redacted: `$ sqlplus scott/${R}@ORCLPDB1\nORA-01017: invalid username/password; logon denied`,
    kinds: ["password-pair"],
  },
  {
    name: "PowerShell ConvertTo-SecureString with a plain-text password",
    paste:
      '$pw = ConvertTo-SecureString "Fak3Ps!" -AsPlainText -Force\nNew-PSDrive : The user name or password is incorrect',
    redacted: `$pw = ConvertTo-SecureString "${R}" -AsPlainText -Force\nNew-PSDrive : The user name or password is incorrect`,
    kinds: ["password-pair"],
  },
  {
    name: "a PowerShell variable assignment",
    paste:
      '$password = "Fak3Pwsh!"\nInvoke-RestMethod : The remote server returned an error: (401) Unauthorized.',
    redacted: `$password = "${R}"\nInvoke-RestMethod : The remote server returned an error: (401) Unauthorized.`,
    kinds: ["password-pair"],
  },
  {
    name: "a JSON config with a password",
    paste:
      'Configuration error in appsettings.json: {"db": {"host": "db01", "user": "app", "password": "Fak3!Json"}}',
    redacted: `Configuration error in appsettings.json: {"db": {"host": "db01", "user": "app", "password": "${R}"}}`,
    kinds: ["password-pair"],
  },
  {
    name: "JSON escaped inside a log string",
    paste: 'level=error msg="login failed" body="{\\"user\\":\\"app\\",\\"password\\":\\"Fak3Esc\\"}"',
    redacted: `level=error msg="login failed" body="{\\"user\\":\\"app\\",\\"password\\":\\"${R}\\"}"`,
    kinds: ["password-pair"],
  },
  {
    name: "a Spring YAML datasource",
    paste:
      "spring:\n  datasource:\n    url: jdbc:postgresql://db01:5432/app\n    username: app\n    password: Fak3Yaml\n" +
      'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "app"',
    redacted:
      `spring:\n  datasource:\n    url: jdbc:postgresql://db01:5432/app\n    username: app\n    password: ${R}\n` +
      'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "app"',
    kinds: ["password-pair"],
  },
  {
    name: "a docker-compose environment list",
    paste: "    environment:\n      - POSTGRES_PASSWORD=Fak3Compose\n      - POSTGRES_USER=app",
    redacted: `    environment:\n      - POSTGRES_PASSWORD=${R}\n      - POSTGRES_USER=app`,
    kinds: ["password-pair"],
  },
  {
    name: "a Python dict repr",
    paste:
      "TypeError: connect() got an unexpected keyword argument 'passwd' {'user': 'app', 'password': 'Fak3Dict'}",
    redacted: `TypeError: connect() got an unexpected keyword argument 'passwd' {'user': 'app', 'password': '${R}'}`,
    kinds: ["password-pair"],
  },
  {
    name: "a Java toString with a password field",
    paste: "DEBUG DataSourceConfig{url=jdbc:h2:mem:test, username=sa, password=Fak3Java}",
    redacted: `DEBUG DataSourceConfig{url=jdbc:h2:mem:test, username=sa, password=${R}}`,
    kinds: ["password-pair"],
  },
  {
    name: "an OAuth client-credentials body (Slack-escaped)",
    paste:
      "grant_type=client_credentials&amp;client_id=11111111-2222-3333-4444-555555555555&amp;client_secret=Fak3~Secret.Value_123\n" +
      "AADSTS7000215: Invalid client secret provided.",
    redacted:
      `grant_type=client_credentials&amp;client_id=11111111-2222-3333-4444-555555555555&amp;client_secret=${R}\n` +
      "AADSTS7000215: Invalid client secret provided.",
    kinds: ["password-pair"],
  },
  {
    name: "an access_token in a callback URL",
    paste: "GET https://app.example.com/callback#access_token=Fak3AccessTok3n0123&amp;token_type=Bearer 500",
    redacted: `GET https://app.example.com/callback#access_token=${R}&amp;token_type=Bearer 500`,
    kinds: ["password-pair"],
  },
  {
    name: "a password given in prose",
    paste: "tried logging in as admin with password: Fak3Prose9 but got Access Denied",
    redacted: `tried logging in as admin with password: ${R} but got Access Denied`,
    kinds: ["password-pair"],
  },
  {
    name: "a CLI --password flag",
    paste:
      "$ az login --service-principal -u 00000000-fake --password Fak3AzSp9 --tenant contoso.onmicrosoft.com\nAADSTS7000215: Invalid client secret provided.",
    redacted: `$ az login --service-principal -u 00000000-fake --password ${R} --tenant contoso.onmicrosoft.com\nAADSTS7000215: Invalid client secret provided.`,
    kinds: ["password-pair"],
  },
  {
    name: "a .netrc line",
    paste: `machine github.com login ci-bot password ${GHP}\nremote: Invalid username or password.`,
    redacted: `machine github.com login ci-bot password ${R}\nremote: Invalid username or password.`,
    kinds: ["github-token"],
  },
  {
    name: "an .npmrc auth token",
    paste: `npm ERR! code E401\nnpm ERR! Unable to authenticate\n//registry.npmjs.org/:_authToken=${NPM}`,
    redacted: `npm ERR! code E401\nnpm ERR! Unable to authenticate\n//registry.npmjs.org/:_authToken=${R}`,
    kinds: ["api-key"],
  },
  {
    name: "an Azure SAS URL",
    paste:
      "https://fakeacct.blob.core.windows.net/backups/db.bak?sv=2022-11-02&amp;ss=b&amp;srt=o&amp;sp=r&amp;se=2030-01-01T00:00:00Z&amp;sig=FakeSig0123456789abcdefFAKE%3D\n" +
      "AuthenticationFailed: Server failed to authenticate the request.",
    redacted:
      `https://fakeacct.blob.core.windows.net/backups/db.bak?sv=2022-11-02&amp;ss=b&amp;srt=o&amp;sp=r&amp;se=2030-01-01T00:00:00Z&amp;sig=${R}\n` +
      "AuthenticationFailed: Server failed to authenticate the request.",
    kinds: ["api-key"],
  },
  {
    name: "a Google API key in a URL",
    paste: `REQUEST_DENIED: https://maps.googleapis.com/maps/api/geocode/json?address=x&amp;key=${AIZA}`,
    redacted: `REQUEST_DENIED: https://maps.googleapis.com/maps/api/geocode/json?address=x&amp;key=${R}`,
    kinds: ["api-key"],
  },
  {
    name: "a SendGrid key in an environment variable",
    paste: `SENDGRID_API_KEY=${SENDGRID}\nHTTP Error 401: Unauthorized`,
    redacted: `SENDGRID_API_KEY=${R}\nHTTP Error 401: Unauthorized`,
    kinds: ["api-key"],
  },
  {
    name: "an OpenAI-style key passed in code",
    paste: `openai.AuthenticationError: Error code: 401\nclient = OpenAI(api_key="${OPENAI}")`,
    redacted: `openai.AuthenticationError: Error code: 401\nclient = OpenAI(api_key="${R}")`,
    kinds: ["api-key"],
  },
  {
    name: "a GitHub token pasted bare",
    paste: `is this token still valid? ${GHP}`,
    redacted: `is this token still valid? ${R}`,
    kinds: ["github-token"],
  },
  {
    name: "a Stripe key in a stack trace message",
    paste: `Stripe::AuthenticationError: Invalid API Key provided: ${STRIPE}`,
    redacted: `Stripe::AuthenticationError: Invalid API Key provided: ${R}`,
    kinds: ["api-key"],
  },
];

describe("redactSecrets: secret-bearing pastes", () => {
  it("has a corpus of at least 40 pastes", () => {
    expect(SECRET_PASTES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SECRET_PASTES.map((p) => [p.name, p] as const))("redacts %s", (_, p) => {
    const r = redactSecrets(p.paste);
    expect(r.text).toBe(p.redacted);
    expect(kinds(r)).toEqual(p.kinds);
    expectWellFormed(p.paste, r);
    expect(redactSecrets(r.text).found).toEqual([]);
  });

  /** What Slack does to the text of a message before the bot sees it. */
  const slackEscape = (text: string): string =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const typed = SECRET_PASTES.filter((p) => !p.paste.includes("&amp;"));

  it.each(typed.map((p) => [p.name, p] as const))("redacts %s the same once Slack has escaped it", (_, p) => {
    const r = redactSecrets(slackEscape(p.paste));
    expect(r.text).toBe(slackEscape(p.redacted));
    expect(kinds(r)).toEqual(p.kinds);
  });
});

const LOOK_ALIKES: [string, string][] = [
  ["a GUID", "Class not registered {6F9619FF-8B86-D011-B42D-00C04FC964FF}"],
  ["an HRESULT", "Installation failed with error 0x80070005: Access is denied."],
  ["another HRESULT", "Sync failed: 0x8004DE40 The sync client has problems connecting to OneDrive."],
  ["an Oracle error", "ORA-12154: TNS:could not resolve the connect identifier specified"],
  [
    "an Azure AD error",
    "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.",
  ],
  [
    "a MySQL access denied",
    "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
  ],
  [
    "a MySQL access denied without password",
    "ERROR 1045 (28000): Access denied for user 'app'@'10.0.0.7' (using password: NO)",
  ],
  ["an expired password", "Your password has expired and must be changed."],
  ["an incorrect password", "The password is incorrect. Try again."],
  ["a Postgres auth failure", 'psql: error: FATAL:  password authentication failed for user "postgres"'],
  ["an Oracle expired password", "ORA-28001: the password has expired"],
  ["a bare password prompt", "Password:"],
  ["an already masked password", "Password: ********"],
  ["a short masked password", "password: ****"],
  ["a masked value in a connection string", "Server=db01;User Id=sa;Password=******;"],
  ["an empty password", "password="],
  ["an empty query parameter", "?user=app&amp;password=&amp;db=x"],
  ["token expired", "token expired"],
  ["invalid token", "Invalid token"],
  ["an OAuth error code after token:", "Error refreshing token: invalid_grant"],
  [
    "an error code after token:",
    "Failed to validate token: IDX10223: Lifetime validation failed. The token is expired.",
  ],
  ["a Windows path", "C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG"],
  [
    "a URL without credentials",
    "POST https://login.microsoftonline.com/common/oauth2/token 400 (Bad Request)",
  ],
  ["a Slack link without credentials", "see <https://status.example.com/incidents/42|the status page>"],
  ["an e-mail address", "Mail to jane.doe@example.com bounced: 550 5.1.1 user unknown"],
  ["an ssh remote", "git@github.com: Permission denied (publickey)."],
  [
    "a URL with a user but no password",
    "fatal: Authentication failed for 'https://jdoe@dev.azure.com/org/project/_git/repo'",
  ],
  [
    "a SHA-256 of a file",
    "SHA256 (setup.exe) = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  ],
  [
    "a commit id",
    "error: pathspec 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' did not match any file(s) known to git",
  ],
  ["a certificate thumbprint", "Thumbprint: 3B7E0A1F9C2D4E5F60718293A4B5C6D7E8F90123"],
  [
    "a docker digest",
    "docker pull nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
  ],
  ["a bare base64 blob", "QmFzZTY0IGJsb2IgdGhhdCBpcyBub3QgYSBzZWNyZXQ="],
  [
    "a Kerberos error",
    "KDC_ERR_PREAUTH_FAILED: Pre-authentication information was invalid (24) for krbtgt/CORP.EXAMPLE.COM@CORP.EXAMPLE.COM",
  ],
  [
    "a trust relationship error",
    "The trust relationship between this workstation and the primary domain failed.",
  ],
  ["a bad-password logon failure", "Logon failure: unknown user name or bad password."],
  [
    "a .NET stack trace",
    "   at System.Net.Http.HttpClient.SendAsync(HttpRequestMessage request)\n   at Contoso.Api.TokenService.GetTokenAsync() in C:\\src\\TokenService.cs:line 42",
  ],
  ["Bearer in prose", "the Bearer token was rejected by the API gateway"],
  ["a JSON null password", '{"username": "admin", "password": null}'],
  ["a JSON empty password", '{"username": "admin", "password": ""}'],
  ["a token type", '{"token_type": "Bearer", "expires_in": 3599}'],
  ["a placeholder", `password: \${DB_PASSWORD}`],
  ["a Slack-escaped placeholder", "Authorization: Bearer &lt;token&gt;"],
  ["an Authorization header without a value", "Authorization: Bearer"],
  [
    "a certificate (public)",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEFakeFakeFake\n-----END CERTIFICATE-----",
  ],
  ["a public key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFake ci@build"],
  ["a BEGIN line alone", "-----BEGIN PRIVATE KEY-----"],
  ["the docker CLI warning", "WARNING! Using --password via the CLI is insecure. Use --password-stdin."],
  ["env output with PWD", "PWD=/home/ci/build\nOLDPWD=/home/ci"],
  [
    "a client secret error",
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID",
  ],
  [
    "a Kubernetes secret manifest",
    "kind: Secret\nmetadata:\n  name: db-creds\nspec:\n  secretName: tls-cert",
  ],
  ["automake test output", "PASS: test_login\nFAIL: test_logout"],
  ["a mysql password prompt", "$ mysql -u root -p\nEnter password:"],
  ["other -p flags", "mkdir -p /var/lib/app && docker run -p 8080:80 nginx && ssh -p 2222 deploy@host"],
  ["a URL with a port and a query", "http://localhost:8080?redirect=https://example.com/login"],
  ["net use with a user", "net use Z: \\\\fs01\\share /user:CORP\\jdoe\nSystem error 86 has occurred."],
  ["a Java exception name after token:", "Failed to parse token: SecurityTokenExpiredException"],
];

describe("redactSecrets: look-alikes that carry the diagnosis", () => {
  it("has a corpus of at least 30 look-alikes", () => {
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(LOOK_ALIKES)("leaves %s unchanged", (_, paste) => {
    expect(redactSecrets(paste)).toEqual({ text: paste, found: [] });
  });
});

describe("redactSecrets: adversarial inputs complete and come out right", () => {
  const N = 200_000;
  it.each([
    ["password=", "password=".repeat(N), `password=${R}`],
    ["a:", "a:".repeat(N), undefined],
    ["eyJ", "eyJ".repeat(N), undefined],
    ["eyJ.", "eyJ.".repeat(N), undefined],
    ["a BEGIN line without END", "-----BEGIN PRIVATE KEY-----".repeat(N), undefined],
    ["@", "@".repeat(5 * N), undefined],
    ["://", "://".repeat(N), undefined],
    ["a:// with no host", "a://".repeat(N), undefined],
    ["[ after password=", "password=[".repeat(N), undefined],
    ["URLs after password=", "password=a://".repeat(N), undefined],
    ["Bearer", "Bearer ".repeat(N), undefined],
    ["token", "token ".repeat(N), undefined],
    ["base64", "QUJD".repeat(N), undefined],
    ["ghp_", "ghp_".repeat(N), undefined],
    ["sk-", "sk-".repeat(N), undefined],
    ["?sig=", "?sig=".repeat(N), undefined],
    ["&amp; after a value", `password=a${"&amp;".repeat(N)}`, `password=${R}`],
  ])("%s repeated", (_, input, expected) => {
    const r = redactSecrets(input);
    expect(r.text).toBe(expected ?? input);
    expect(r.found.length).toBe(expected === undefined ? 0 : 1);
  });

  it.each([
    ["password: ", "password: ".repeat(50_000)],
    ['password="', 'password="'.repeat(50_000)],
    ["escaped JSON keys", '\\"password\\":\\"'.repeat(50_000)],
    ["a:// user:password@", "a://b:c@".repeat(50_000)],
    ["long authorities full of colons", `x://${":".repeat(3000)} `.repeat(100)],
    ["Authorization: Bearer", "Authorization: Bearer ".repeat(50_000)],
    ["Cookie pairs", `Cookie: ${"a=b; ".repeat(50_000)}`],
    ["mysql -p", `mysql ${"-p".repeat(50_000)}${" -pX".repeat(50_000)}`],
    ["connection-string spaces", `;Password=${"a ".repeat(200_000)}`],
    ["a key body of short lines", `-----BEGIN PRIVATE KEY-----\n${"ab\n".repeat(50_000)}`],
    ["netrc", `machine x login y ${"password ".repeat(50_000)}`],
    ["sqlplus", `sqlplus ${"a/".repeat(50_000)}`],
    ["jdbc:oracle", "jdbc:oracle:thin:a/".repeat(50_000)],
  ])("%s repeated stays consistent and idempotent", (_, input) => {
    const r = redactSecrets(input);
    expectWellFormed(input, r);
    expect(redactSecrets(r.text).found).toEqual([]);
  });

  it("handles a 1 MB paste of many secrets", () => {
    const line = "password: Hunter2x and Server=db;Password=Fak3;\n";
    const input = line.repeat(Math.ceil(1_000_000 / line.length));
    const r = redactSecrets(input);
    expect(r.found.length).toBe(2 * Math.ceil(1_000_000 / line.length));
    expect(r.text).toBe(
      `password: ${R} and Server=db;Password=${R};\n`.repeat(Math.ceil(1_000_000 / line.length)),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const FRAGMENTS = [
  "password",
  "Password",
  "pwd",
  "token",
  "secret",
  "api_key",
  "Authorization",
  "Cookie",
  "Bearer ",
  "=",
  ":",
  ": ",
  " ",
  "\n",
  '"',
  "'",
  ";",
  ",",
  "&amp;",
  "&",
  "?",
  "://",
  "postgres",
  "@",
  "/",
  "\\",
  "\\n",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  "<",
  ">",
  "|",
  "-",
  "--",
  "-p",
  "mysql ",
  "curl -u ",
  "machine ",
  "eyJ",
  "eyJhbGciOiJIUzI1NiJ9",
  ".",
  "-----BEGIN PRIVATE KEY-----",
  "-----END PRIVATE KEY-----",
  PEM_LINES[0] ?? "",
  "[redacted]",
  REDACTED,
  "Hunter2!",
  "abc",
  "Fak3",
  "***",
  `\${X}`,
  GHP,
  AKIA,
  "sig=",
  "AccountKey",
  "x-access-token",
];

const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(""));
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), soup);

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet.split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;
const password = chars(`${ALNUM}!#%+-_~`, 5, 24).map((s) => `Zq9${s}`);

/** A secret in context, and what it must become. */
const embeddedSecret: fc.Arbitrary<{ secret: string; expected: string }> = fc.oneof(
  fc.tuple(chars("abcdefghij", 1, 8), password, chars("abcdef", 1, 6)).map(([u, p, h]) => ({
    secret: `postgres://${u}:${p}@${h}.example.com:5432/app`,
    expected: `postgres://${u}:${R}@${h}.example.com:5432/app`,
  })),
  password.map((p) => ({
    secret: `Server=db;User Id=sa;Password=${p};`,
    expected: `Server=db;User Id=sa;Password=${R};`,
  })),
  chars(ALNUM, 20, 40).map((tok) => ({
    secret: `Authorization: Bearer ${tok}9`,
    expected: `Authorization: Bearer ${R}`,
  })),
  fc
    .tuple(chars(B64URL, 10, 30), chars(B64URL, 10, 40), chars(B64URL, 10, 40))
    .map(([a, b, c]) => ({ secret: `eyJ${a}.${b}.${c}`, expected: R })),
  chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16, 16).map((k) => ({ secret: `AKIA${k}`, expected: R })),
  chars(ALNUM, 36, 40).map((k) => ({ secret: `ghp_${k}`, expected: R })),
  fc
    .tuple(chars("0123456789", 10, 12), chars(ALNUM, 24, 24))
    .map(([n, k]) => ({ secret: `xoxb-${n}-${n}-${k}`, expected: R })),
  chars(B64URL, 35, 35).map((k) => ({ secret: `AIza${k}`, expected: R })),
  fc.array(chars(B64, 64, 64), { minLength: 1, maxLength: 4 }).map((lines) => ({
    secret: `-----BEGIN RSA PRIVATE KEY-----\n${lines.join("\n")}\n-----END RSA PRIVATE KEY-----`,
    expected: `-----BEGIN RSA PRIVATE KEY-----\n${R}\n-----END RSA PRIVATE KEY-----`,
  })),
  password.map((p) => ({ secret: `password=${p}`, expected: `password=${R}` })),
  password.map((p) => ({ secret: `{"password": "${p}"}`, expected: `{"password": "${R}"}` })),
  password.map((p) => ({ secret: `mysql -u root -p${p} -h db`, expected: `mysql -u root -p${R} -h db` })),
  password.map((p) => ({ secret: `Cookie: session=${p}`, expected: `Cookie: session=${R}` })),
);

describe("redactSecrets: properties", () => {
  const runs = { numRuns: 300 };

  it("never throws and reports consistent offsets", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = redactSecrets(text);
        expectWellFormed(text, r);
      }),
      runs,
    );
  });

  it("returns the input unchanged when nothing is found", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = redactSecrets(text);
        if (r.found.length === 0) expect(r.text).toBe(text);
        else expect(r.text).not.toBe(text);
      }),
      runs,
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = redactSecrets(text).text;
        const twice = redactSecrets(once);
        expect(twice.found).toEqual([]);
        expect(twice.text).toBe(once);
      }),
      runs,
    );
  });

  it("redacts a secret embedded in arbitrary text and leaves the text around it alone", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        embeddedSecret,
        fc.string({ maxLength: 80 }),
        (before, s, after) => {
          fc.pre(redactSecrets(before).found.length === 0 && redactSecrets(after).found.length === 0);
          const r = redactSecrets(`${before}\n${s.secret}\n${after}`);
          expect(r.text).toBe(`${before}\n${s.expected}\n${after}`);
          expect(r.found.length).toBe(s.expected.split(R).length - 1);
        },
      ),
      runs,
    );
  });
});
