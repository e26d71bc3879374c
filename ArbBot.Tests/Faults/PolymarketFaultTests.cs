using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues.Polymarket;
using Xunit.Abstractions;

namespace ArbBot.Tests.Faults;

/// <summary>The market-data faults against the fake Polymarket (Gamma, CLOB REST, market channel).</summary>
public sealed class PolymarketFaultTests(ITestOutputHelper output) : MarketDataFaultTests(output)
{
    protected override string VenueName => "Polymarket";

    protected override async Task<FaultHarness> StartAsync(bool throughProxy = false)
    {
        var server = await FakePolymarketServer.StartAsync();
        var options = server.ClientOptions();
        var proxy = throughProxy ? BlackholeProxy.Start(options.MarketWebSocketUrl) : null;
        if (proxy is not null) options.MarketWebSocketUrl = proxy.Via(options.MarketWebSocketUrl);
        var logs = new CapturedLogs();
        var venue = new PolymarketVenue(options, TimeProvider.System, logs);
        return new PolymarketFaultHarness(new PolymarketVenueContractTests.PolymarketHarness(server, venue), logs, proxy);
    }

    private sealed class PolymarketFaultHarness(PolymarketVenueContractTests.PolymarketHarness venue, CapturedLogs logs, BlackholeProxy? proxy)
        : FaultHarness(venue, logs, proxy)
    {
        public override long Connections => venue.State.ConnectionsAccepted;

        public override Task SendRawAsync(string frame) => venue.State.SendRawAsync(frame);

        public override void TruncateNextUpdate() => venue.State.TruncateNextUpdate();
    }
}
