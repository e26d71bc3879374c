using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>Why <see cref="KalshiSignatureVerifier"/> accepted or rejected a request.</summary>
public enum KalshiSignatureVerdict
{
    /// <summary>The headers are present, the key and timestamp are acceptable and the signature verifies.</summary>
    Valid,
    /// <summary>One of the three headers is missing or empty.</summary>
    MissingHeader,
    /// <summary>KALSHI-ACCESS-KEY names a key this verifier does not hold.</summary>
    UnknownKey,
    /// <summary>KALSHI-ACCESS-TIMESTAMP is not a whole number of milliseconds.</summary>
    MalformedTimestamp,
    /// <summary>The timestamp lies outside the accepted window around the verifier's clock.</summary>
    TimestampOutsideWindow,
    /// <summary>KALSHI-ACCESS-SIGNATURE is not base64.</summary>
    MalformedSignature,
    /// <summary>The signature does not verify over timestamp + method + path.</summary>
    BadSignature,
}

/// <summary>
/// The server side of Kalshi's request signing, for loopback fakes: checks the three KALSHI-ACCESS-* headers the way
/// Kalshi describes them (known key id, recent timestamp, RSA-PSS SHA-256 signature over timestamp + METHOD + path
/// without query string).
/// </summary>
public sealed class KalshiSignatureVerifier : IDisposable
{
    private readonly RSA _rsa;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier for one key.</summary>
    /// <param name="keyId">The key id clients must send.</param>
    /// <param name="publicKeyPem">The RSA public key ("PUBLIC KEY" or "RSA PUBLIC KEY" PEM).</param>
    /// <param name="time">The verifier's clock.</param>
    /// <param name="window">How far a timestamp may lie from the clock, either way; default 30 s (Kalshi does not publish its own).</param>
    public KalshiSignatureVerifier(string keyId, string publicKeyPem, TimeProvider time, TimeSpan? window = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        ArgumentNullException.ThrowIfNull(time);
        var w = window ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(w, TimeSpan.Zero, nameof(window));
        _rsa = RSA.Create();
        _rsa.ImportFromPem(publicKeyPem);
        KeyId = keyId;
        _time = time;
        Window = w;
    }

    /// <summary>The key id this verifier accepts.</summary>
    public string KeyId { get; }

    /// <summary>The largest accepted distance between the request's timestamp and the verifier's clock.</summary>
    public TimeSpan Window { get; }

    /// <summary>Checks a request's headers.</summary>
    /// <param name="method">The request's HTTP method as received.</param>
    /// <param name="pathOrUrl">The request's path (or URL), query string allowed: it is stripped before checking.</param>
    /// <param name="keyId">KALSHI-ACCESS-KEY, or null when absent.</param>
    /// <param name="timestampMs">KALSHI-ACCESS-TIMESTAMP, or null when absent.</param>
    /// <param name="signature">KALSHI-ACCESS-SIGNATURE, or null when absent.</param>
    public KalshiSignatureVerdict Verify(string method, string pathOrUrl, string? keyId, string? timestampMs, string? signature)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(timestampMs) || string.IsNullOrEmpty(signature))
        {
            return KalshiSignatureVerdict.MissingHeader;
        }
        if (!string.Equals(keyId, KeyId, StringComparison.Ordinal))
        {
            return KalshiSignatureVerdict.UnknownKey;
        }
        if (!long.TryParse(timestampMs, NumberStyles.None, CultureInfo.InvariantCulture, out var ts))
        {
            return KalshiSignatureVerdict.MalformedTimestamp;
        }
        var distanceMs = Math.Abs(_time.GetUtcNow().ToUnixTimeMilliseconds() - ts);
        if (distanceMs > (long)Window.TotalMilliseconds)
        {
            return KalshiSignatureVerdict.TimestampOutsideWindow;
        }
        var bytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, bytes, out var written))
        {
            return KalshiSignatureVerdict.MalformedSignature;
        }
        string path;
        try
        {
            path = KalshiRequestSigner.NormalizePath(pathOrUrl);
        }
        catch (ArgumentException)
        {
            // A path outside /trade-api/ cannot have been signed correctly by a Kalshi client.
            return KalshiSignatureVerdict.BadSignature;
        }
        // The method is checked exactly as received, as the venue does: the signer upper-cases it before signing.
        var message = Message(ts, method, path);
        return _rsa.VerifyData(message, bytes.AsSpan(0, written), HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
            ? KalshiSignatureVerdict.Valid
            : KalshiSignatureVerdict.BadSignature;
    }

    /// <summary>Checks the handshake of a WebSocket connection (GET /trade-api/ws/v2).</summary>
    public KalshiSignatureVerdict VerifyWebSocketHandshake(string? keyId, string? timestampMs, string? signature) =>
        Verify("GET", KalshiRequestSigner.WebSocketPath, keyId, timestampMs, signature);

    /// <inheritdoc />
    public void Dispose() => _rsa.Dispose();

    /// <summary>The signed bytes: UTF-8 of timestamp + method + path.</summary>
    internal static byte[] Message(long timestampMs, string method, string path) =>
        Encoding.UTF8.GetBytes(string.Concat(timestampMs.ToString(CultureInfo.InvariantCulture), method, path));
}
