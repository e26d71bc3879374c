using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Engine.Replay;

/// <summary>
/// A venue whose data comes from a recording: its markets from the recording's catalog, its fees from the venue's own
/// fee rule. Its feed streams the recording's events of this venue into the hub as fast as the hub takes them.
/// </summary>
public sealed class ReplayVenue : IVenue
{
    public ReplayVenue(VenueId venue, string recordingPath)
    {
        Id = venue;
        FeeModel = venue == VenueId.Kalshi ? new KalshiFeeModel() : new PolymarketFeeModel();
        Instruments = new RecordedInstrumentProvider(venue, recordingPath);
        MarketData = new RecordedMarketDataFeed(venue, recordingPath);
    }

    public VenueId Id { get; }

    public DataSource Source => DataSource.Replay;

    public string DisplayName => $"{Id.DisplayName()} (replay)";

    public IFeeModel FeeModel { get; }

    public IInstrumentProvider Instruments { get; }

    public IMarketDataFeed MarketData { get; }

    private sealed class RecordedInstrumentProvider(VenueId venue, string path) : IInstrumentProvider
    {
        public Task<IReadOnlyList<Market>> DiscoverAsync(InstrumentRegistry registry, CancellationToken cancellationToken)
        {
            using var reader = RecordingReader.Open(path);
            var markets = new List<Market>();
            foreach (var venueEvent in reader.Catalog.Events.Where(e => e.Venue == venue)) registry.AddEvent(venueEvent);
            foreach (var (market, yes, no) in reader.Catalog.Markets.Where(m => m.Market.Venue == venue))
            {
                markets.Add(registry.AddMarket(market with { Yes = default, No = default }, yes, no));
            }
            return Task.FromResult<IReadOnlyList<Market>>(markets);
        }
    }

    /// <summary>Streams the venue's recorded events, mapping recorded instruments to the hub's by symbol.</summary>
    private sealed class RecordedMarketDataFeed(VenueId venue, string path) : IMarketDataFeed
    {
        private volatile FeedState _state = FeedState.Stopped;
        private long _lastMessage;

        public FeedState State => _state;

        public long LastMessageUtcTicks => Interlocked.Read(ref _lastMessage);

        public async Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(sink);
            _state = FeedState.Connecting;
            using var reader = RecordingReader.Open(path);
            var map = Array.Empty<InstrumentId?>();
            var registry = (sink as MarketDataHub)?.Registry;
            _state = FeedState.Live;
            while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var recorded))
            {
                var e = recorded.Event;
                if (map.Length < reader.Catalog.InstrumentCount) map = BuildMap(reader.Catalog, registry);
                if (map[e.Instrument.Value] is not { } instrument) continue;
                Interlocked.Exchange(ref _lastMessage, recorded.ReceivedUtcTicks);
                await sink.PostAsync(Remap(e, instrument), cancellationToken).ConfigureAwait(false);
            }
            _state = FeedState.Stopped;
        }

        private InstrumentId?[] BuildMap(RecordingCatalog catalog, InstrumentRegistry? registry)
        {
            var map = new InstrumentId?[catalog.InstrumentCount];
            foreach (var (market, yes, no) in catalog.Markets)
            {
                if (market.Venue != venue) continue;
                map[market.Yes.Value] = registry is not null && registry.TryGet(venue, yes, out var y) ? y.Id : registry is null ? market.Yes : null;
                map[market.No.Value] = registry is not null && registry.TryGet(venue, no, out var n) ? n.Id : registry is null ? market.No : null;
            }
            return map;
        }

        private static BookEvent Remap(in BookEvent e, InstrumentId instrument) => e.Kind switch
        {
            BookEventKind.Snapshot => BookEvent.Snapshot(instrument, e.Bids ?? [], e.Asks ?? [], e.Sequence, e.VenueUtcTicks),
            _ => new BookEvent
            {
                Kind = e.Kind,
                Instrument = instrument,
                Side = e.Side,
                Price = e.Price,
                Size = e.Size,
                Sequence = e.Sequence,
                VenueUtcTicks = e.VenueUtcTicks,
                Reason = e.Reason,
            },
        };
    }
}
