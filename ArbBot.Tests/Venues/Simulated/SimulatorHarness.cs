using System.Globalization;
using System.Text;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Simulated;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Simulated;

/// <summary>A world, both simulated venues discovered into one registry, and a hub to apply their events.</summary>
internal sealed class SimulatorHarness
{
    private SimulatorHarness(int seed, TimeSpan? stepInterval)
    {
        Time = new ManualTimeProvider();
        World = new SimulatedWorld(new SimulatorOptions { Seed = seed, StepInterval = stepInterval ?? TimeSpan.FromMilliseconds(100) }, Time);
        Kalshi = new SimulatedVenue(VenueId.Kalshi, World, TickSize.Cent);
        Polymarket = new SimulatedVenue(VenueId.Polymarket, World, TickSize.Cent);
        Registry = new InstrumentRegistry();
        Hub = new MarketDataHub(Registry, Time);
    }

    public ManualTimeProvider Time { get; }
    public SimulatedWorld World { get; }
    public SimulatedVenue Kalshi { get; }
    public SimulatedVenue Polymarket { get; }
    public InstrumentRegistry Registry { get; }
    public MarketDataHub Hub { get; }

    public static async Task<SimulatorHarness> CreateAsync(int seed = 42, TimeSpan? stepInterval = null)
    {
        var harness = new SimulatorHarness(seed, stepInterval);
        await harness.Kalshi.Instruments.DiscoverAsync(harness.Registry, CancellationToken.None);
        await harness.Polymarket.Instruments.DiscoverAsync(harness.Registry, CancellationToken.None);
        return harness;
    }

    /// <summary>Posts both venues' snapshots into the hub and applies them.</summary>
    public void ApplySnapshots()
    {
        Post(Kalshi.MarketData.Snapshot());
        Post(Polymarket.MarketData.Snapshot());
        Hub.DrainPending();
    }

    /// <summary>Steps both venues once and applies their events.</summary>
    public void StepBoth()
    {
        Post(Kalshi.MarketData.Step());
        Post(Polymarket.MarketData.Step());
        Hub.DrainPending();
    }

    public void Post(IReadOnlyList<BookEvent> events)
    {
        foreach (var e in events) Assert.True(Hub.TryPost(e));
    }

    public OrderBook Book(InstrumentId id) => Hub.TryGetBook(id) ?? throw new InvalidOperationException($"No book for {id}.");

    public Market Market(VenueId venue, string key) =>
        Registry.TryGetMarket(venue, key, out var market) ? market : throw new KeyNotFoundException(key);

    /// <summary>An event as text, levels included, so two streams compare event for event.</summary>
    public static string Describe(BookEvent e)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{e.Kind} {e.Instrument} {e.Side} {e.Price} {e.Size} #{e.Sequence} @{e.VenueUtcTicks}");
        foreach (var level in e.Bids ?? []) text.Append(CultureInfo.InvariantCulture, $" b{level.Price}x{level.Size}");
        foreach (var level in e.Asks ?? []) text.Append(CultureInfo.InvariantCulture, $" a{level.Price}x{level.Size}");
        return text.ToString();
    }
}
