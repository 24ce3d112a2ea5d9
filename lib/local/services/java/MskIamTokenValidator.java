import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;

/**
 * Local stand-in for MSK IAM access control on the broker's SASL_SSL listener: takes the
 * OAUTHBEARER token the function runtime sends (base64url of a SigV4 query-string presigned
 * `GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect`), recomputes the
 * signature with the local secret access key (JAAS option `secretAccessKey`), checks the validity
 * window, and names the principal `User:<access key id>`, so that Kafka ACLs apply per function.
 * Refusals are SaslAuthenticationException, whose message the broker returns to the client.
 *
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
public final class MskIamTokenValidator implements AuthenticateCallbackHandler {
  private static final String SERVICE = "kafka-cluster";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** Parameters outside the signature: the signature itself, and the user agent the signers append after signing. */
  private static final Set<String> UNSIGNED = Set.of("X-Amz-Signature", "User-Agent");
  /** Clock skew SigV4 tolerates for a request date in the future. */
  private static final long SKEW_SECONDS = 300;

  private String secretAccessKey;

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    for (AppConfigurationEntry entry : jaasConfigEntries) {
      Object secret = entry.getOptions().get("secretAccessKey");
      if (secret != null) secretAccessKey = secret.toString();
    }
    if (secretAccessKey == null || secretAccessKey.isEmpty()) {
      throw new IllegalArgumentException("MskIamTokenValidator needs the JAAS option secretAccessKey");
    }
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (!(callback instanceof OAuthBearerValidatorCallback)) throw new UnsupportedCallbackException(callback);
      OAuthBearerValidatorCallback validation = (OAuthBearerValidatorCallback) callback;
      validation.token(validate(validation.tokenValue(), Instant.now()));
    }
  }

  @Override
  public void close() {}

  private OAuthBearerToken validate(String tokenValue, Instant now) {
    final URI uri;
    try {
      uri = URI.create(new String(Base64.getUrlDecoder().decode(tokenValue), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw denied("the token is not a base64url-encoded presigned URL");
    }
    TreeMap<String, String> query = new TreeMap<>();
    String rawQuery = uri.getRawQuery();
    if (rawQuery == null) throw denied("the presigned URL has no query string");
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq < 0) continue;
      query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    if (!"kafka-cluster:Connect".equals(query.get("Action"))) throw denied("the presigned action is not kafka-cluster:Connect");
    if (!"AWS4-HMAC-SHA256".equals(query.get("X-Amz-Algorithm"))) throw denied("the signing algorithm is not AWS4-HMAC-SHA256");
    String credential = require(query, "X-Amz-Credential");
    String[] scope = credential.split("/");
    if (scope.length != 5 || !SERVICE.equals(scope[3]) || !"aws4_request".equals(scope[4])) {
      throw denied("the credential scope is not <key id>/<date>/<region>/kafka-cluster/aws4_request");
    }
    String accessKeyId = scope[0];
    String amzDate = require(query, "X-Amz-Date");
    final Instant signedAt;
    final long expiresSeconds;
    try {
      signedAt = Instant.from(AMZ_DATE.parse(amzDate));
      expiresSeconds = Long.parseLong(require(query, "X-Amz-Expires"));
    } catch (RuntimeException e) {
      throw denied("X-Amz-Date or X-Amz-Expires is malformed");
    }
    if (!amzDate.startsWith(scope[1])) throw denied("the credential scope's date is not X-Amz-Date's day");
    Instant expiry = signedAt.plusSeconds(expiresSeconds);
    if (!now.isBefore(expiry)) throw denied("the token expired at " + expiry + " (signed at " + signedAt + " for " + expiresSeconds + " s)");
    if (signedAt.isAfter(now.plusSeconds(SKEW_SECONDS))) throw denied("the token is signed in the future (" + signedAt + ")");

    StringBuilder canonicalQuery = new StringBuilder();
    for (Map.Entry<String, String> e : query.entrySet()) {
      if (UNSIGNED.contains(e.getKey())) continue;
      if (canonicalQuery.length() > 0) canonicalQuery.append('&');
      canonicalQuery.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
    }
    String host = uri.getHost();
    String canonicalRequest = String.join("\n", "GET", "/", canonicalQuery, "host:" + host + "\n", "host", sha256Hex(""));
    String credentialScope = String.join("/", scope[1], scope[2], scope[3], scope[4]);
    String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, credentialScope, sha256Hex(canonicalRequest));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), scope[1]);
    for (String part : new String[] {scope[2], scope[3], scope[4]}) key = hmac(key, part);
    String expected = hex(hmac(key, stringToSign));
    String given = require(query, "X-Amz-Signature");
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII))) {
      throw denied("the request signature does not match the one computed with the secret key of " + accessKeyId);
    }
    return new Token(tokenValue, accessKeyId, signedAt.toEpochMilli(), expiry.toEpochMilli());
  }

  private static SaslAuthenticationException denied(String reason) {
    return new SaslAuthenticationException("Access denied: " + reason);
  }

  private static String require(Map<String, String> query, String name) {
    String value = query.get(name);
    if (value == null || value.isEmpty()) throw denied("the presigned URL lacks " + name);
    return value;
  }

  private static String decode(String value) {
    return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** RFC 3986 percent-encoding, as SigV4's canonical query string wants it. */
  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(String data) {
    try {
      return hex(MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    return out.toString();
  }

  private static final class Token implements OAuthBearerToken {
    private final String value;
    private final String principal;
    private final long startMs;
    private final long lifetimeMs;

    Token(String value, String principal, long startMs, long lifetimeMs) {
      this.value = value;
      this.principal = principal;
      this.startMs = startMs;
      this.lifetimeMs = lifetimeMs;
    }

    @Override public String value() { return value; }
    @Override public Set<String> scope() { return Set.of(); }
    @Override public long lifetimeMs() { return lifetimeMs; }
    @Override public String principalName() { return principal; }
    @Override public Long startTimeMs() { return startMs; }
  }
}
