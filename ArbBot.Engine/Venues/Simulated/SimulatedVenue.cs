using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Engine.Venues.Simulated;

/// <summary>
/// "Kalshi (simulated)" or "Polymarket (simulated)": the venue's catalog listings and a book stream around the shared
/// <see cref="SimulatedWorld"/>, with the real venue's fee model. Needs no network and no credentials.
/// </summary>
public sealed class SimulatedVenue : IVenue
{
    /// <summary>Creates a simulated venue.</summary>
    /// <param name="venue">Which venue this one imitates.</param>
    /// <param name="world">The world both simulated venues share (one singleton).</param>
    /// <param name="defaultTickSize">The venue's configured tick (ArbBot:Venues:{Venue}:TickSize); some Polymarket markets use 0.001 regardless.</param>
    public SimulatedVenue(VenueId venue, SimulatedWorld world, TickSize defaultTickSize)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (venue is not (VenueId.Kalshi or VenueId.Polymarket)) throw new ArgumentOutOfRangeException(nameof(venue), venue, "Unknown venue.");
        Id = venue;
        World = world;
        FeeModel = venue == VenueId.Kalshi ? new KalshiFeeModel() : new PolymarketFeeModel();
        MarketData = new SimulatedMarketDataFeed(venue, world);
        Instruments = new SimulatedInstrumentProvider(venue, world.Catalog, defaultTickSize, MarketData);
    }

    public VenueId Id { get; }

    public DataSource Source => DataSource.Simulated;

    public string DisplayName => $"{Id.DisplayName()} (simulated)";

    public IFeeModel FeeModel { get; }

    public SimulatedWorld World { get; }

    public SimulatedInstrumentProvider Instruments { get; }

    public SimulatedMarketDataFeed MarketData { get; }

    IInstrumentProvider IVenue.Instruments => Instruments;

    IMarketDataFeed IVenue.MarketData => MarketData;
}

/// <summary>Registers a simulated venue's events and markets from the catalog.</summary>
public sealed class SimulatedInstrumentProvider : IInstrumentProvider
{
    private readonly VenueId _venue;
    private readonly SimulatedCatalog _catalog;
    private readonly TickSize _defaultTick;
    private readonly SimulatedMarketDataFeed _feed;

    internal SimulatedInstrumentProvider(VenueId venue, SimulatedCatalog catalog, TickSize defaultTick, SimulatedMarketDataFeed feed)
    {
        _venue = venue;
        _catalog = catalog;
        _defaultTick = defaultTick;
        _feed = feed;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Market>> DiscoverAsync(InstrumentRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var venueEvent in _catalog.EventsOf(_venue)) registry.AddEvent(venueEvent);
        var registered = new List<(Market, SimulatedListing)>();
        foreach (var listing in _catalog.ListingsOf(_venue))
        {
            var market = registry.AddMarket(listing.ToMarket(_defaultTick), listing.YesSymbol, listing.NoSymbol);
            registered.Add((market, listing));
        }
        _feed.Attach(registered);
        return Task.FromResult<IReadOnlyList<Market>>(registered.Select(r => r.Item1).ToArray());
    }
}
