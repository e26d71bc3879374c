using System.Globalization;
using System.Security.Cryptography;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>The three authentication headers Kalshi expects on a signed REST request or WebSocket handshake.</summary>
/// <param name="KeyId">The API key id (KALSHI-ACCESS-KEY); an identifier, not a secret.</param>
/// <param name="TimestampMs">Unix time in milliseconds as sent (KALSHI-ACCESS-TIMESTAMP).</param>
/// <param name="Signature">Base64 RSA-PSS signature over timestamp + method + path (KALSHI-ACCESS-SIGNATURE).</param>
public sealed record KalshiAuthHeaders(string KeyId, string TimestampMs, string Signature)
{
    /// <summary>The headers as name/value pairs, ready to add to an HTTP request or WebSocket options.</summary>
    public IEnumerable<KeyValuePair<string, string>> AsPairs()
    {
        yield return new(KalshiRequestSigner.KeyHeader, KeyId);
        yield return new(KalshiRequestSigner.TimestampHeader, TimestampMs);
        yield return new(KalshiRequestSigner.SignatureHeader, Signature);
    }
}

/// <summary>Raised when a Kalshi private key cannot be loaded. Its message never contains key material.</summary>
public sealed class KalshiKeyException(string message) : Exception(message);

/// <summary>
/// Signs Kalshi requests: RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt over
/// <c>timestamp_ms + METHOD + path</c>, where path starts at <c>/trade-api/</c> and has no query string.
/// The private key stays inside this object: it is never exposed, formatted or logged.
/// </summary>
public sealed class KalshiRequestSigner : IDisposable
{
    /// <summary>Header carrying the API key id.</summary>
    public const string KeyHeader = "KALSHI-ACCESS-KEY";

    /// <summary>Header carrying the Unix time in milliseconds.</summary>
    public const string TimestampHeader = "KALSHI-ACCESS-TIMESTAMP";

    /// <summary>Header carrying the base64 signature.</summary>
    public const string SignatureHeader = "KALSHI-ACCESS-SIGNATURE";

    /// <summary>The REST API root every signed path starts with.</summary>
    public const string RestRoot = "/trade-api/v2";

    /// <summary>The WebSocket path signed (with GET) at the handshake.</summary>
    public const string WebSocketPath = "/trade-api/ws/v2";

    // Every Kalshi path (REST and WebSocket) lives under this prefix; anything else is a caller mistake that
    // would only surface as a 401 from the venue.
    private const string PathPrefix = "/trade-api/";

    // Writable by others is refused too: whoever can replace the key decides what the desk signs with.
    private const UnixFileMode GroupOrOtherRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly RSA _rsa;
    private readonly TimeProvider _time;

    private KalshiRequestSigner(string keyId, RSA rsa, TimeProvider time)
    {
        KeyId = keyId;
        _rsa = rsa;
        _time = time;
    }

    /// <summary>The API key id sent in <see cref="KeyHeader"/>.</summary>
    public string KeyId { get; }

    /// <summary>Loads a PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY") from text.</summary>
    /// <exception cref="KalshiKeyException">The text holds no usable unencrypted RSA private key.</exception>
    public static KalshiRequestSigner FromPem(string keyId, string pem, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(time);
        return new KalshiRequestSigner(keyId, ImportPrivateKey(pem, "the configured PEM text"), time);
    }

    /// <summary>
    /// Loads a PEM private key from a file, refusing it on Unix when group or others may read it
    /// (a readable key is as good as leaked on a shared machine).
    /// </summary>
    /// <exception cref="KalshiKeyException">The file is missing, too permissive, or holds no usable key.</exception>
    public static KalshiRequestSigner FromPemFile(string keyId, string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        if (!File.Exists(path))
        {
            throw new KalshiKeyException($"Kalshi private key file '{path}' does not exist.");
        }
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOtherRead) != 0)
            {
                var octal = Convert.ToString((int)mode, 8).PadLeft(4, '0');
                throw new KalshiKeyException(
                    $"Kalshi private key file '{path}' has mode {octal}, which lets group or others read or change it; restrict it to its owner (chmod 600).");
            }
        }
        return new KalshiRequestSigner(keyId, ImportPrivateKey(File.ReadAllText(path), $"file '{path}'"), time);
    }

    /// <summary>Signs a REST request at the current time.</summary>
    /// <param name="method">HTTP method, e.g. GET; upper-cased before signing.</param>
    /// <param name="pathOrUrl">A full URL or a path from <c>/trade-api/</c>, with or without a query string.</param>
    public KalshiAuthHeaders Sign(string method, string pathOrUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        var timestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var signature = SignMessage(timestampMs, method.ToUpperInvariant(), NormalizePath(pathOrUrl));
        return new KalshiAuthHeaders(KeyId, timestampMs.ToString(CultureInfo.InvariantCulture), signature);
    }

    /// <summary>Signs the WebSocket handshake: <c>GET /trade-api/ws/v2</c> at the current time.</summary>
    public KalshiAuthHeaders SignWebSocketHandshake() => Sign("GET", WebSocketPath);

    /// <summary>
    /// The path Kalshi signs: from <c>/trade-api/</c>, without query string or fragment. Accepts an absolute URL
    /// (any host: the host does not change the signature) or a path.
    /// </summary>
    /// <exception cref="ArgumentException">The path does not lie under <c>/trade-api/</c>.</exception>
    public static string NormalizePath(string pathOrUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrUrl);
        string path;
        if (Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ws" or "wss")
        {
            // AbsolutePath is the escaped form, which is what goes on the wire.
            path = uri.AbsolutePath;
        }
        else
        {
            var cut = pathOrUrl.AsSpan();
            var end = cut.IndexOfAny('?', '#');
            path = (end >= 0 ? cut[..end] : cut).ToString();
        }
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A Kalshi path must start with '{PathPrefix}' (e.g. {RestRoot}/portfolio/balance); got '{path}'.", nameof(pathOrUrl));
        }
        return path;
    }

    /// <summary>The base64 signature of <c>timestampMs + method + path</c>, with method and path used as given.</summary>
    internal string SignMessage(long timestampMs, string method, string path)
    {
        var message = KalshiSignatureVerifier.Message(timestampMs, method, path);
        var signature = _rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return Convert.ToBase64String(signature);
    }

    /// <summary>Never shows key material; only the key id.</summary>
    public override string ToString() => $"KalshiRequestSigner(KeyId={KeyId})";

    /// <inheritdoc />
    public void Dispose() => _rsa.Dispose();

    private static RSA ImportPrivateKey(string pem, string source)
    {
        // Find the label ourselves so a public key or an encrypted key gets a precise error, and so no message from
        // the decoder (which may quote its input) ever reaches the caller.
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new KalshiKeyException($"No PEM block found in {source}; expected 'BEGIN RSA PRIVATE KEY' or 'BEGIN PRIVATE KEY'.");
        }
        var label = pem.AsSpan()[fields.Label].ToString();
        var der = new byte[fields.DecodedDataLength];
        var rsa = RSA.Create();
        try
        {
            if (!Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], der, out var written))
            {
                throw new KalshiKeyException($"The PEM block in {source} is not valid base64.");
            }
            switch (label)
            {
                case "RSA PRIVATE KEY":
                    rsa.ImportRSAPrivateKey(der.AsSpan(0, written), out _);
                    break;
                case "PRIVATE KEY":
                    rsa.ImportPkcs8PrivateKey(der.AsSpan(0, written), out _);
                    break;
                case "ENCRYPTED PRIVATE KEY":
                    throw new KalshiKeyException($"The key in {source} is encrypted; provide an unencrypted PKCS#1 or PKCS#8 RSA private key.");
                default:
                    throw new KalshiKeyException($"The PEM block in {source} is '{label}', not an RSA private key; expected 'RSA PRIVATE KEY' or 'PRIVATE KEY'.");
            }
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            throw new KalshiKeyException($"The PEM block in {source} is not a valid RSA private key.");
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }
}
