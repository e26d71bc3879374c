using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Engine.Venues.Polymarket.Auth;

/// <summary>
/// Builds the POLY_* headers of authenticated CLOB requests: L1 (wallet signature over ClobAuth) for the API-key
/// endpoints and L2 (HMAC-SHA256 with the API secret) for everything else.
/// </summary>
public sealed class PolymarketRequestSigner(PolymarketPrivateKey key, long chainId)
{
    /// <summary>The signing wallet's address.</summary>
    public PolymarketAddress Address => key.Address;

    /// <summary>POLY_ADDRESS, POLY_SIGNATURE, POLY_TIMESTAMP, POLY_NONCE for the /auth/* endpoints.</summary>
    public IReadOnlyDictionary<string, string> L1Headers(long timestampSeconds, BigInteger nonce) => new Dictionary<string, string>
    {
        // The venue compares addresses case-insensitively; rs-clob-client sends lower case, so do we.
        ["POLY_ADDRESS"] = key.Address.ToLowerHex(),
        ["POLY_SIGNATURE"] = PolymarketClobAuth.Sign(key, chainId, timestampSeconds, nonce).ToString(),
        ["POLY_TIMESTAMP"] = timestampSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["POLY_NONCE"] = nonce.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// POLY_ADDRESS, POLY_SIGNATURE, POLY_TIMESTAMP, POLY_API_KEY, POLY_PASSPHRASE for an L2 request. <paramref name="path"/>
    /// is the request path without the query string and <paramref name="body"/> the exact bytes sent (as text).
    /// </summary>
    public IReadOnlyDictionary<string, string> L2Headers(PolymarketApiCredentials credentials, long timestampSeconds, string method, string path, string? body)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var timestamp = timestampSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["POLY_ADDRESS"] = key.Address.ToLowerHex(),
            ["POLY_SIGNATURE"] = Hmac(credentials.Secret, timestamp, method, path, body),
            ["POLY_TIMESTAMP"] = timestamp,
            ["POLY_API_KEY"] = credentials.ApiKey,
            ["POLY_PASSPHRASE"] = credentials.Passphrase.Reveal(),
        };
    }

    /// <summary>
    /// base64url(HMAC-SHA256(base64url-decode(secret), timestamp + method + path + body)), keeping the '=' padding as
    /// the official clients do. The secret may be standard or URL-safe base64.
    /// </summary>
    public static string Hmac(PolymarketSecret secret, string timestamp, string method, string path, string? body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var message = timestamp + method + path + (body ?? "");
        var mac = HMACSHA256.HashData(DecodeSecret(secret.Reveal()), Encoding.UTF8.GetBytes(message));
        return Convert.ToBase64String(mac).Replace('+', '-').Replace('/', '_');
    }

    private static byte[] DecodeSecret(string secret)
    {
        // Map URL-safe to standard base64 and restore padding, like the TS client's back-compat path.
        var standard = secret.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        standard = standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(standard);
        }
        catch (FormatException)
        {
            // Say what is wrong without quoting the secret.
            throw new FormatException("The Polymarket API secret is not base64.");
        }
    }
}
