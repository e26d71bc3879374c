using System.Net;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ArbBot.Tests.Web;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_healthy_without_sign_in_once_the_simulated_feeds_run()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient();

        HttpResponseMessage response;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            response = await client.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.OK) break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("venues").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("reconciliation").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Liveness_answers_without_sign_in()
    {
        await using var app = new DeskAppFactory();
        var response = await app.CreateClient().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Venue_check_is_unhealthy_when_a_feed_is_down_or_silent()
    {
        var time = new ManualTimeProvider();
        var live = new FakeFeed { State = FeedState.Live, LastMessageUtcTicks = time.GetUtcNow().UtcTicks };
        var down = new FakeFeed { State = FeedState.Disconnected };
        var check = new VenueFeedsHealthCheck([new FakeVenue("Up", live), new FakeVenue("Down", down)],
            Options.Create(new MarketDataOptions { StaleAfter = TimeSpan.FromSeconds(5) }), time);

        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("Down is Disconnected", result.Description, StringComparison.Ordinal);

        down.State = FeedState.Live;
        down.LastMessageUtcTicks = time.GetUtcNow().UtcTicks;
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        time.Advance(TimeSpan.FromSeconds(6));
        var silent = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, silent.Status);
        Assert.Contains("silent for 6.0 s", silent.Description, StringComparison.Ordinal);
    }

    private sealed class FakeFeed : IMarketDataFeed
    {
        public FeedState State { get; set; }
        public long LastMessageUtcTicks { get; set; }
        public Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FakeVenue(string name, IMarketDataFeed feed) : IVenue
    {
        public VenueId Id => VenueId.Kalshi;
        public DataSource Source => DataSource.Simulated;
        public string DisplayName => name;
        public IFeeModel FeeModel => throw new NotSupportedException();
        public IInstrumentProvider Instruments => throw new NotSupportedException();
        public IMarketDataFeed MarketData => feed;
    }
}
