using System.Net.Http.Json;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArbBot.Tests.Hosting;

/// <summary>The desk with ArbBot:Venues:Kalshi:Source = Real, pointed at the loopback fake Kalshi, Polymarket simulated.</summary>
public sealed class KalshiRealSourceTests
{
    private const string ReadKey = "kalshi-real-read-key-0123456789";

    private static Dictionary<string, string?> Settings(FakeKalshiServer server) => new()
    {
        ["ArbBot:Venues:Kalshi:Source"] = "Real",
        ["ArbBot:Kalshi:KeyId"] = FakeKalshiServer.KeyId,
        ["ArbBot:Kalshi:PrivateKeyPem"] = server.PrivateKeyPem,
        ["ArbBot:Kalshi:RestBaseUrl"] = server.RestBaseUrl.ToString(),
        ["ArbBot:Kalshi:WebSocketUrl"] = server.WebSocketUrl.ToString(),
        ["ArbBot:Kalshi:RetryBaseDelay"] = "00:00:00.020",
        ["ArbBot:Api:ReadKey"] = ReadKey,
    };

    [Fact]
    public async Task The_desk_discovers_the_venues_markets_and_shows_its_books_live_with_paper_execution()
    {
        await using var server = await FakeKalshiServer.StartAsync();
        server.RateLimitEvery = 4;
        await using var app = new DeskAppFactory(Settings(server));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ReadKey);
        var venues = app.Services.GetRequiredService<VenueSet>();
        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        var board = app.Services.GetRequiredService<QuoteBoard>();

        // Discovery registers page by page; wait for the last page (CPI) too, not only the first market.
        await WaitUntilAsync(() => registry.TryGetMarket(VenueId.Kalshi, "FED-23DEC-T3.00", out _) && registry.TryGetMarket(VenueId.Kalshi, "CPI-24JAN-B0.3", out _));
        var kalshiMarkets = registry.Markets.Where(m => m.Venue == VenueId.Kalshi).Select(m => m.MarketKey).Order().ToList();
        Assert.Equal(["CPI-24JAN-B0.3", "FED-23DEC-T3.00", "FED-23DEC-T4.00"], kalshiMarkets);
        registry.TryGetMarket(VenueId.Kalshi, "FED-23DEC-T3.00", out var fed);
        // The fake's FED book: best YES bid 0.22, best NO bid 0.56, so the best YES ask is 0.44.
        await WaitUntilAsync(() => board.TryGet(fed.Yes, out var q) && q.Bid == 0.22m && q.Ask == 0.44m && q.Stale == StaleReason.None);

        using var status = JsonDocument.Parse(await client.GetStringAsync("/api/status"));
        var kalshi = status.RootElement.GetProperty("venues").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "Kalshi");
        Assert.Equal("Kalshi (demo)", kalshi.GetProperty("name").GetString());
        Assert.Equal("Real", kalshi.GetProperty("source").GetString());
        Assert.Equal("Live", kalshi.GetProperty("feed").GetString());
        Assert.True(kalshi.GetProperty("paper").GetBoolean());
        Assert.True(venues.Gateways[VenueId.Kalshi].IsPaper);
        Assert.Equal(0, server.Rejected);
    }

    [Fact]
    public void A_key_file_others_can_read_is_refused_at_start_up_with_a_clear_message()
    {
        // The permission check exists only on Unix; these tests run on Linux.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Key file permission tests need Unix file modes.");
        var path = Path.GetTempFileName();
        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            File.WriteAllText(path, rsa.ExportRSAPrivateKeyPem());
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var validator = new VenuesOptionsValidator(Options.Create(new KalshiOptions { KeyId = "k", PrivateKeyPath = path }));
            var venues = new VenuesOptions();
            venues.ByName["Kalshi"] = new VenueOptions { Source = DataSource.Real };

            var result = validator.Validate(null, venues);

            Assert.True(result.Failed);
            var failure = Assert.Single(result.Failures!);
            Assert.StartsWith("ArbBot:Venues:Kalshi:Source is Real, but the Kalshi key cannot be used: Kalshi private key file", failure);
            Assert.Contains("chmod 600", failure);

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.True(validator.Validate(null, venues).Succeeded);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Real_kalshi_without_credentials_is_refused_and_the_pem_never_appears_in_messages()
    {
        var venues = new VenuesOptions();
        venues.ByName["Kalshi"] = new VenueOptions { Source = DataSource.Real };
        venues.ByName["Polymarket"] = new VenueOptions { Source = DataSource.Replay };

        var missing = new VenuesOptionsValidator(Options.Create(new KalshiOptions())).Validate(null, venues);
        const string notAKey = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END RSA PRIVATE KEY-----";
        var broken = new VenuesOptionsValidator(Options.Create(new KalshiOptions { KeyId = "k", PrivateKeyPem = notAKey })).Validate(null, venues);

        Assert.Contains(missing.Failures!, f => f.StartsWith("ArbBot:Venues:Kalshi:Source is Real, but the Kalshi key cannot be used: ArbBot:Kalshi:KeyId is not set", StringComparison.Ordinal));
        Assert.Contains(missing.Failures!, f => f.Contains("ArbBot:Venues:Polymarket:Source 'Replay' cannot feed the live desk", StringComparison.Ordinal));
        var keyFailure = Assert.Single(broken.Failures!, f => f.Contains("Kalshi", StringComparison.Ordinal));
        Assert.Contains("not a valid RSA private key", keyFailure);
        Assert.DoesNotContain("c2VjcmV0", keyFailure);
        Assert.DoesNotContain("c2VjcmV0", new KalshiOptions { KeyId = "k", PrivateKeyPem = notAKey }.ToString());
    }

    [Fact]
    public void Live_mode_in_configuration_never_starts_the_desk_live()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArbBot:Mode"] = "Live",
            ["ArbBot:Kalshi:KeyId"] = "k",
            ["ArbBot:Kalshi:PrivateKeyPem"] = "not shown",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddArbBotEngine(configuration).BuildServiceProvider();

        Assert.Equal(TradingMode.Live, services.GetRequiredService<IOptions<ArbBotOptions>>().Value.Mode);
        var live = services.GetRequiredService<ArbBot.Engine.Control.LiveTrading>();
        Assert.False(live.Armed);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 20 s.");
            await Task.Delay(50);
        }
    }
}
