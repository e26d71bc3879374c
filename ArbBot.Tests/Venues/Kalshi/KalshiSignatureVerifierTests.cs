using System.Globalization;
using System.Security.Cryptography;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiSignatureVerifierTests : IDisposable
{
    private const string Path = "/trade-api/v2/portfolio/orders";
    private readonly RSA _key = RSA.Create(2048);
    private readonly ManualTimeProvider _time = new();
    private readonly KalshiRequestSigner _signer;
    private readonly KalshiSignatureVerifier _verifier;

    public KalshiSignatureVerifierTests()
    {
        _signer = KalshiRequestSigner.FromPem("key-1", _key.ExportRSAPrivateKeyPem(), _time);
        _verifier = new KalshiSignatureVerifier("key-1", _key.ExportSubjectPublicKeyInfoPem(), _time, TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
        _key.Dispose();
    }

    private KalshiSignatureVerdict Check(KalshiAuthHeaders h, string method = "POST", string path = Path) =>
        _verifier.Verify(method, path, h.KeyId, h.TimestampMs, h.Signature);

    [Fact]
    public void Accepts_what_the_signer_produced()
    {
        var headers = _signer.Sign("POST", Path);
        Assert.Equal(KalshiSignatureVerdict.Valid, Check(headers));
    }

    [Fact]
    public void Accepts_a_request_whose_query_string_was_not_signed()
    {
        var headers = _signer.Sign("GET", Path + "?limit=5");
        Assert.Equal(KalshiSignatureVerdict.Valid, Check(headers, "GET", Path + "?limit=5&cursor=x"));
    }

    [Fact]
    public void Accepts_the_websocket_handshake()
    {
        var h = _signer.SignWebSocketHandshake();
        Assert.Equal(KalshiSignatureVerdict.Valid, _verifier.VerifyWebSocketHandshake(h.KeyId, h.TimestampMs, h.Signature));
    }

    [Fact]
    public void Rejects_a_tampered_path()
    {
        var headers = _signer.Sign("POST", Path);
        Assert.Equal(KalshiSignatureVerdict.BadSignature, Check(headers, path: "/trade-api/v2/portfolio/balance"));
    }

    [Fact]
    public void Rejects_a_tampered_method()
    {
        var headers = _signer.Sign("POST", Path);
        Assert.Equal(KalshiSignatureVerdict.BadSignature, Check(headers, method: "DELETE"));
    }

    [Fact]
    public void Rejects_a_tampered_timestamp_inside_the_window()
    {
        var headers = _signer.Sign("POST", Path);
        var shifted = (long.Parse(headers.TimestampMs, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(KalshiSignatureVerdict.BadSignature, Check(headers with { TimestampMs = shifted }));
    }

    [Fact]
    public void Rejects_a_stale_timestamp_and_accepts_one_at_the_window_edge()
    {
        var headers = _signer.Sign("POST", Path);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(KalshiSignatureVerdict.Valid, Check(headers));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(KalshiSignatureVerdict.TimestampOutsideWindow, Check(headers));
    }

    [Fact]
    public void Rejects_a_timestamp_from_the_future()
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        var headers = _signer.Sign("POST", Path);
        using var laggingVerifier = new KalshiSignatureVerifier("key-1", _key.ExportSubjectPublicKeyInfoPem(), new ManualTimeProvider(), TimeSpan.FromSeconds(5));

        Assert.Equal(KalshiSignatureVerdict.TimestampOutsideWindow, laggingVerifier.Verify("POST", Path, headers.KeyId, headers.TimestampMs, headers.Signature));
    }

    [Fact]
    public void Rejects_missing_unknown_and_malformed_headers()
    {
        var h = _signer.Sign("POST", Path);

        Assert.Equal(KalshiSignatureVerdict.MissingHeader, _verifier.Verify("POST", Path, null, h.TimestampMs, h.Signature));
        Assert.Equal(KalshiSignatureVerdict.MissingHeader, _verifier.Verify("POST", Path, h.KeyId, "", h.Signature));
        Assert.Equal(KalshiSignatureVerdict.MissingHeader, _verifier.Verify("POST", Path, h.KeyId, h.TimestampMs, null));
        Assert.Equal(KalshiSignatureVerdict.UnknownKey, Check(h with { KeyId = "key-2" }));
        Assert.Equal(KalshiSignatureVerdict.MalformedTimestamp, Check(h with { TimestampMs = "12.5" }));
        Assert.Equal(KalshiSignatureVerdict.MalformedSignature, Check(h with { Signature = "not base64!" }));
    }

    [Fact]
    public void Rejects_a_signature_from_another_key()
    {
        using var otherKey = RSA.Create(2048);
        using var other = KalshiRequestSigner.FromPem("key-1", otherKey.ExportPkcs8PrivateKeyPem(), _time);

        Assert.Equal(KalshiSignatureVerdict.BadSignature, Check(other.Sign("POST", Path)));
    }
}
