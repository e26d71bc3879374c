using System.Security.Cryptography;
using System.Text;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiRequestSignerTests : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly List<string> _tempFiles = [];

    public void Dispose()
    {
        _key.Dispose();
        foreach (var file in _tempFiles) File.Delete(file);
    }

    private bool VerifiesWithPublicKey(KalshiAuthHeaders headers, string method, string path)
    {
        var message = Encoding.UTF8.GetBytes(headers.TimestampMs + method + path);
        return _key.VerifyData(message, Convert.FromBase64String(headers.Signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    [Fact]
    public void Signature_verifies_with_the_public_key_over_timestamp_method_and_path()
    {
        using var signer = KalshiRequestSigner.FromPem("key-1", _key.ExportPkcs8PrivateKeyPem(), _time);

        var headers = signer.Sign("get", "/trade-api/v2/portfolio/balance");

        Assert.Equal("key-1", headers.KeyId);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), headers.TimestampMs);
        Assert.True(VerifiesWithPublicKey(headers, "GET", "/trade-api/v2/portfolio/balance"));
        Assert.False(VerifiesWithPublicKey(headers, "POST", "/trade-api/v2/portfolio/balance"));
    }

    [Fact]
    public void Query_string_and_host_are_excluded_from_the_signed_path()
    {
        using var signer = KalshiRequestSigner.FromPem("key-1", _key.ExportPkcs8PrivateKeyPem(), _time);

        var fromPath = signer.Sign("GET", "/trade-api/v2/portfolio/orders?limit=5");
        var fromUrl = signer.Sign("GET", "https://external-api.kalshi.com/trade-api/v2/portfolio/orders?limit=5&cursor=abc");

        Assert.True(VerifiesWithPublicKey(fromPath, "GET", "/trade-api/v2/portfolio/orders"));
        Assert.True(VerifiesWithPublicKey(fromUrl, "GET", "/trade-api/v2/portfolio/orders"));
        Assert.False(VerifiesWithPublicKey(fromPath, "GET", "/trade-api/v2/portfolio/orders?limit=5"));
    }

    [Theory]
    [InlineData("/trade-api/v2/portfolio/orders?limit=5", "/trade-api/v2/portfolio/orders")]
    [InlineData("https://demo-api.kalshi.co/trade-api/v2/markets/FED-23DEC-T3.00/orderbook?depth=10", "/trade-api/v2/markets/FED-23DEC-T3.00/orderbook")]
    [InlineData("wss://external-api-ws.kalshi.com/trade-api/ws/v2", "/trade-api/ws/v2")]
    [InlineData("/trade-api/v2/markets#top", "/trade-api/v2/markets")]
    public void NormalizePath_keeps_the_path_from_trade_api_without_query(string input, string expected) =>
        Assert.Equal(expected, KalshiRequestSigner.NormalizePath(input));

    [Theory]
    [InlineData("/portfolio/balance")]
    [InlineData("https://external-api.kalshi.com/v2/portfolio/balance")]
    public void NormalizePath_refuses_paths_outside_trade_api(string input) =>
        Assert.Throws<ArgumentException>(() => KalshiRequestSigner.NormalizePath(input));

    [Fact]
    public void WebSocket_handshake_signs_GET_and_the_ws_path()
    {
        using var signer = KalshiRequestSigner.FromPem("key-1", _key.ExportRSAPrivateKeyPem(), _time);

        var headers = signer.SignWebSocketHandshake();

        Assert.True(VerifiesWithPublicKey(headers, "GET", "/trade-api/ws/v2"));
        Assert.Equal(
            [KalshiRequestSigner.KeyHeader, KalshiRequestSigner.TimestampHeader, KalshiRequestSigner.SignatureHeader],
            headers.AsPairs().Select(p => p.Key));
        Assert.Equal(["KALSHI-ACCESS-KEY", "KALSHI-ACCESS-TIMESTAMP", "KALSHI-ACCESS-SIGNATURE"], headers.AsPairs().Select(p => p.Key));
    }

    [Fact]
    public void Timestamp_comes_from_the_injected_clock()
    {
        using var signer = KalshiRequestSigner.FromPem("key-1", _key.ExportPkcs8PrivateKeyPem(), _time);
        var before = long.Parse(signer.Sign("GET", "/trade-api/v2/markets").TimestampMs, System.Globalization.CultureInfo.InvariantCulture);

        _time.Advance(TimeSpan.FromMilliseconds(1234));
        var after = long.Parse(signer.Sign("GET", "/trade-api/v2/markets").TimestampMs, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(1234, after - before);
    }

    [Fact]
    public void Pkcs1_and_pkcs8_keys_both_load_and_sign()
    {
        var pkcs1 = _key.ExportRSAPrivateKeyPem();
        var pkcs8 = _key.ExportPkcs8PrivateKeyPem();
        Assert.Contains("BEGIN RSA PRIVATE KEY", pkcs1, StringComparison.Ordinal);
        Assert.Contains("BEGIN PRIVATE KEY", pkcs8, StringComparison.Ordinal);

        foreach (var pem in new[] { pkcs1, pkcs8 })
        {
            using var signer = KalshiRequestSigner.FromPem("key-1", pem, _time);
            Assert.True(VerifiesWithPublicKey(signer.Sign("DELETE", "/trade-api/v2/portfolio/orders/abc"), "DELETE", "/trade-api/v2/portfolio/orders/abc"));
        }
    }

    [Fact]
    public void Key_file_readable_by_others_is_refused_naming_file_and_mode()
    {
        var pem = _key.ExportPkcs8PrivateKeyPem();
        var path = WriteKeyFile(pem, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<KalshiKeyException>(() => KalshiRequestSigner.FromPemFile("key-1", path, _time));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("0644", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyBody(pem), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_file_readable_by_group_only_is_refused()
    {
        var path = WriteKeyFile(_key.ExportRSAPrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.GroupRead);

        var error = Assert.Throws<KalshiKeyException>(() => KalshiRequestSigner.FromPemFile("key-1", path, _time));
        Assert.Contains("0440", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_file_readable_by_owner_only_is_accepted()
    {
        var path = WriteKeyFile(_key.ExportRSAPrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var signer = KalshiRequestSigner.FromPemFile("key-1", path, _time);

        Assert.True(VerifiesWithPublicKey(signer.Sign("GET", "/trade-api/v2/portfolio/balance"), "GET", "/trade-api/v2/portfolio/balance"));
    }

    [Fact]
    public void Missing_key_file_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kalshi-missing-{Guid.NewGuid():N}.pem");
        var error = Assert.Throws<KalshiKeyException>(() => KalshiRequestSigner.FromPemFile("key-1", path, _time));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_never_appears_in_ToString()
    {
        var pem = _key.ExportPkcs8PrivateKeyPem();
        using var signer = KalshiRequestSigner.FromPem("key-1", pem, _time);

        var text = signer.ToString();

        Assert.Contains("key-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyBody(pem)[..40], text, StringComparison.Ordinal);
    }

    public static TheoryData<string> MalformedPems => new()
    {
        // Truncated body: base64 decodes but the DER is cut short.
        "truncated",
        // Corrupted base64 characters inside the block.
        "corrupted",
        // A public key where a private key is required.
        "public",
        // No PEM block at all: the raw base64 body only.
        "bare",
    };

    [Theory]
    [MemberData(nameof(MalformedPems))]
    public void Malformed_pem_is_refused_without_quoting_the_key(string kind)
    {
        var pem = _key.ExportPkcs8PrivateKeyPem();
        var body = KeyBody(pem);
        var bad = kind switch
        {
            "truncated" => "-----BEGIN PRIVATE KEY-----\n" + body[..(body.Length / 2 / 4 * 4)] + "\n-----END PRIVATE KEY-----",
            "corrupted" => "-----BEGIN PRIVATE KEY-----\n" + body[..200] + "!!!!" + body[204..] + "\n-----END PRIVATE KEY-----",
            "public" => _key.ExportSubjectPublicKeyInfoPem(),
            "bare" => body,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var error = Assert.Throws<KalshiKeyException>(() => KalshiRequestSigner.FromPem("key-1", bad, _time));

        Assert.Null(error.InnerException);
        Assert.DoesNotContain(body[..40], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(body[^40..], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(body[200..240], error.Message, StringComparison.Ordinal);
    }

    private string WriteKeyFile(string pem, UnixFileMode mode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kalshi-key-{Guid.NewGuid():N}.pem");
        _tempFiles.Add(path);
        File.WriteAllText(path, pem);
        // The permission check exists only on Unix; these tests run on Linux.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Key file permission tests need Unix file modes.");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    // The base64 body of a PEM, on one line, to look for any fragment of it.
    private static string KeyBody(string pem) =>
        string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
}
