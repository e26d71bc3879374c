using System.Net;
using System.Security.Cryptography;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Kalshi;

/// <summary>The REST client against the loopback fake Kalshi, which verifies every signature as Kalshi describes.</summary>
public sealed class KalshiRestClientTests : IAsyncLifetime
{
    private FakeKalshiServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _server = await FakeKalshiServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private KalshiRestClient Client(KalshiOptions? options = null, KalshiRequestSigner? signer = null)
    {
        options ??= _server.ClientOptions();
        return new KalshiRestClient(_http, options, signer ?? options.CreateSigner(TimeProvider.System), TimeProvider.System, random: new Random(1));
    }

    [Fact]
    public async Task Signed_requests_with_a_query_string_are_accepted_by_a_verifying_server()
    {
        var body = await Client().GetStringAsync("/events", [new("status", "open"), new("limit", "5")], CancellationToken.None);

        Assert.Contains("FED-23DEC", body);
        Assert.Equal(0, _server.Rejected);
    }

    [Fact]
    public async Task A_request_signed_with_another_key_fails_with_the_venues_error_code()
    {
        using var other = RSA.Create(2048);
        using var signer = KalshiRequestSigner.FromPem(FakeKalshiServer.KeyId, other.ExportPkcs8PrivateKeyPem(), TimeProvider.System);

        var e = await Assert.ThrowsAsync<KalshiApiException>(() => Client(signer: signer).GetStringAsync("/series/KXFED", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
        Assert.Equal("authentication_error", e.Code);
        Assert.Contains("GET /series/KXFED", e.Message);
        Assert.Equal(1, _server.Rejected);
    }

    [Fact]
    public async Task A_429_is_retried_after_a_backoff_and_the_request_succeeds()
    {
        _server.RateLimitEvery = 2;
        var client = Client();

        for (var i = 0; i < 6; i++) await client.GetStringAsync("/series/KXFED", null, CancellationToken.None);

        Assert.True(_server.RateLimited >= 2, $"the fake answered 429 {_server.RateLimited} times");
    }

    [Fact]
    public async Task A_venue_that_keeps_answering_429_gives_a_rate_limited_error_after_the_configured_retries()
    {
        _server.RateLimitEvery = 1;
        var options = _server.ClientOptions();
        options.MaxRetries = 2;

        var e = await Assert.ThrowsAsync<KalshiApiException>(() => Client(options).GetStringAsync("/series/KXFED", null, CancellationToken.None));

        Assert.True(e.IsRateLimited);
        Assert.Equal("too_many_requests", e.Code);
        Assert.Equal(3, _server.RateLimited);
    }

    [Fact]
    public async Task A_missing_resource_is_not_retried()
    {
        var e = await Assert.ThrowsAsync<KalshiApiException>(() => Client().GetStringAsync("/series/NOPE", null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, e.Status);
        Assert.Equal("not_found", e.Code);
        Assert.Equal(1, _server.Requests);
    }

    [Fact]
    public async Task Paging_follows_the_cursor_to_the_last_page()
    {
        var pages = new List<string>();

        await Client().PageAsync("/events", [new("with_nested_markets", "true")], body =>
        {
            pages.Add(body);
            return KalshiCatalogParser.ParseEventsPage(body).Value!.Cursor;
        }, CancellationToken.None);

        Assert.Equal(3, pages.Count);
        Assert.Contains("FLAT-1", pages[^1]);
    }

    [Fact]
    public async Task The_rest_order_book_derives_asks_from_the_other_sides_bids_best_first()
    {
        using var venue = KalshiVenue.Create(_server.ClientOptions(), TimeProvider.System);

        var book = await venue.GetOrderBookAsync("FED-23DEC-T3.00", 10, CancellationToken.None);

        Assert.Equal(["0.22", "0.08"], book.YesBids.Select(l => l.Price.ToString()));
        Assert.Equal(["0.44", "0.46"], book.YesAsks.Select(l => l.Price.ToString()));
        Assert.Equal([146m, 20m], book.YesAsks.Select(l => l.Size));
        Assert.Equal(["0.78", "0.92"], book.NoAsks.Select(l => l.Price.ToString()));
    }
}
