using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Recording;

namespace ArbBot.Tests.Recording;

public sealed class RecordingFormatTests
{
    private static readonly long T0 = new DateTimeOffset(2026, 11, 21, 14, 0, 0, TimeSpan.Zero).UtcTicks;

    private static (InstrumentRegistry Registry, Market Kalshi, Market Polymarket) Catalog()
    {
        var registry = new InstrumentRegistry();
        registry.AddEvent(new VenueEvent(VenueId.Polymarket, "fed-dec", "Fed decision in December", "Economics", true, true, false));
        var kalshi = registry.AddMarket(new Market(VenueId.Kalshi, "KXFED-25DEC-T4.50", "KXFED-25DEC", "Fed above 4.50%?", "Resolves per FOMC.", "FOMC",
            new DateTimeOffset(2026, 12, 10, 19, 0, 0, TimeSpan.Zero), TickSize.Cent, 1m, "Yes", new FeeParameters(0.07m, 0.0175m, 1)), "KXFED-25DEC-T4.50:yes", "KXFED-25DEC-T4.50:no");
        var polymarket = registry.AddMarket(new Market(VenueId.Polymarket, "0xabc", "fed-dec", "Fed holds?", "Resolves per FOMC statement.", "FOMC",
            new DateTimeOffset(2026, 12, 10, 19, 0, 0, TimeSpan.Zero), TickSize.FromDecimal(0.001m), 5m, "Hold", new FeeParameters(0.02m, 0m, 2), QuantityStep: 0.01m), "111", "222");
        return (registry, kalshi, polymarket);
    }

    private static RecordedBookEvent[] SampleEvents(Market kalshi, Market polymarket) =>
    [
        new(BookEvent.Snapshot(kalshi.Yes, [new(Price.FromUnits(4_500), 120m), new(Price.FromUnits(4_400), 3m)], [new(Price.FromUnits(4_700), 55m)], 17, T0 - 20_000), T0),
        new(BookEvent.AddLevel(kalshi.Yes, BookSide.Bid, Price.FromUnits(4_500), -20m, 18, T0 - 5_000), T0 + 1),
        new(BookEvent.SetLevel(polymarket.No, BookSide.Ask, Price.FromUnits(5_310), 1_234.56m, 0, T0 + 30), T0 + 10_000),
        new(BookEvent.SetLevel(polymarket.No, BookSide.Ask, Price.FromUnits(5_320), 79_228_162_514_264_337_593_543.95m), T0 + 10_000),
        new(BookEvent.Heartbeat(kalshi.No), T0 + 9_999),
        new(BookEvent.Stale(polymarket.Yes, StaleReason.Disconnected), T0 + 20_000),
        new(BookEvent.Clear(kalshi.Yes, StaleReason.SequenceGap), T0 + 20_001),
        new(BookEvent.TickSizeChange(polymarket.Yes, TickSize.FromDecimal(0.0001m)), T0 + 30_000),
        new(BookEvent.Snapshot(polymarket.Yes, [], []), T0 + 40_000),
    ];

    private static byte[] Write(InstrumentRegistry registry, IEnumerable<RecordedBookEvent> events, IEnumerable<RecordedPair>? pairs = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new RecordingWriter(stream, RecordingCatalog.From(registry, pairs: pairs), ownsStream: false))
        {
            foreach (var e in events) writer.Write(e);
        }
        return stream.ToArray();
    }

    private static List<RecordedBookEvent> ReadAll(byte[] bytes, InstrumentRegistry? registerInto = null)
    {
        using var reader = new RecordingReader(new MemoryStream(bytes), "test recording", registerInto);
        var events = new List<RecordedBookEvent>();
        while (reader.TryRead(out var e)) events.Add(e);
        return events;
    }

    private static void AssertSame(RecordedBookEvent expected, RecordedBookEvent actual)
    {
        Assert.Equal(expected.ReceivedUtcTicks, actual.ReceivedUtcTicks);
        var (e, a) = (expected.Event, actual.Event);
        Assert.Equal(e.Kind, a.Kind);
        Assert.Equal(e.Instrument, a.Instrument);
        Assert.Equal(e.Side, a.Side);
        Assert.Equal(e.Price, a.Price);
        Assert.Equal(e.Size, a.Size);
        Assert.Equal(e.Sequence, a.Sequence);
        Assert.Equal(e.VenueUtcTicks, a.VenueUtcTicks);
        Assert.Equal(e.Reason, a.Reason);
        Assert.Equal(e.Bids ?? [], a.Bids ?? []);
        Assert.Equal(e.Asks ?? [], a.Asks ?? []);
    }

    [Fact]
    public void Every_kind_of_book_event_reads_back_exactly_as_written()
    {
        var (registry, kalshi, polymarket) = Catalog();
        var events = SampleEvents(kalshi, polymarket);

        var read = ReadAll(Write(registry, events));

        Assert.Equal(events.Length, read.Count);
        for (var i = 0; i < events.Length; i++) AssertSame(events[i], read[i]);
    }

    [Fact]
    public void Sizes_keep_their_scale_and_sign_through_the_recording()
    {
        var (registry, kalshi, _) = Catalog();
        decimal[] sizes = [0m, 1m, -1m, 0.01m, 1.10m, -12.345m, 1_000_000m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m];
        var events = sizes.Select((s, i) => new RecordedBookEvent(BookEvent.AddLevel(kalshi.Yes, BookSide.Bid, Price.FromUnits(100), s), T0 + i)).ToArray();

        var read = ReadAll(Write(registry, events));

        // decimal equality ignores scale; the strings do not, so 1.10 must stay 1.10.
        Assert.Equal(sizes.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            read.Select(r => r.Event.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_recording_replays_into_an_empty_registry_with_the_recorded_instruments_events_and_pairs()
    {
        var (registry, kalshi, polymarket) = Catalog();
        var bytes = Write(registry, SampleEvents(kalshi, polymarket), [new RecordedPair(7, kalshi.MarketKey, polymarket.MarketKey, PairMapping.YesNo)]);

        var replayRegistry = new InstrumentRegistry();
        using var reader = new RecordingReader(new MemoryStream(bytes), "test", replayRegistry);

        Assert.Equal(registry.Count, replayRegistry.Count);
        Assert.True(replayRegistry.TryGetMarket(VenueId.Polymarket, "0xabc", out var market));
        Assert.Equal(polymarket, market);
        Assert.True(replayRegistry.TryGet(VenueId.Kalshi, "KXFED-25DEC-T4.50:no", out var no));
        Assert.Equal(kalshi.No, no.Id);
        Assert.True(replayRegistry.TryGetEvent(VenueId.Polymarket, "fed-dec", out var venueEvent));
        Assert.True(venueEvent.NegRisk);
        Assert.Equal(new RecordedPair(7, kalshi.MarketKey, polymarket.MarketKey, PairMapping.YesNo), Assert.Single(reader.Catalog.Pairs));
    }

    [Fact]
    public void Markets_discovered_after_the_file_started_are_registered_before_their_first_event()
    {
        var (registry, kalshi, _) = Catalog();
        using var stream = new MemoryStream();
        using (var writer = new RecordingWriter(stream, RecordingCatalog.From(registry), ownsStream: false))
        {
            writer.Write(new RecordedBookEvent(BookEvent.Heartbeat(kalshi.Yes), T0));
            var before = registry.Count;
            var late = registry.AddMarket(new Market(VenueId.Kalshi, "KXLATE", "KXLATE-E", "Late?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
                FeeParameters.None), "KXLATE:yes", "KXLATE:no");
            writer.WriteCatalog(RecordingCatalog.From(registry, before));
            writer.Write(new RecordedBookEvent(BookEvent.Heartbeat(late.No), T0 + 1));
        }

        var replayRegistry = new InstrumentRegistry();
        var read = ReadAll(stream.ToArray(), replayRegistry);

        Assert.Equal(2, read.Count);
        Assert.Equal("KXLATE:no", replayRegistry[read[1].Event.Instrument].Symbol);
    }

    [Fact]
    public void Thousands_of_events_span_many_blocks_and_read_back_in_order()
    {
        var (registry, kalshi, polymarket) = Catalog();
        var random = new Random(3);
        var events = Enumerable.Range(0, 40_000).Select(i => new RecordedBookEvent(
            random.Next(2) == 0
                ? BookEvent.AddLevel(kalshi.Yes, BookSide.Bid, Price.FromUnits(random.Next(1, 100) * 100), random.Next(-500, 500), i + 1, T0 + i * 100L - 7)
                : BookEvent.SetLevel(polymarket.No, BookSide.Ask, Price.FromUnits(random.Next(1, 1000) * 10), random.Next(0, 100_000) / 100m, 0, T0 + i * 100L - 3),
            T0 + i * 100L)).ToArray();

        var bytes = Write(registry, events);
        var read = ReadAll(bytes);

        Assert.True(bytes.Length > RecordingWriter.BlockLength / 4, "the sample should span several blocks");
        Assert.Equal(events.Length, read.Count);
        for (var i = 0; i < events.Length; i += 997) AssertSame(events[i], read[i]);
        AssertSame(events[^1], read[^1]);
    }

    [Fact]
    public void A_file_that_is_not_a_recording_is_refused_with_a_clear_error()
    {
        var error = Assert.Throws<RecordingFormatException>(() => new RecordingReader(new MemoryStream("{\"not\":\"a recording\"}"u8.ToArray()), "notes.json"));
        Assert.Contains("notes.json is not an ArbBot recording", error.Message);
    }

    [Fact]
    public void A_recording_cut_short_delivers_its_complete_blocks_then_says_where_it_ends()
    {
        var (registry, kalshi, polymarket) = Catalog();
        var events = Enumerable.Range(0, 30_000).Select(i => new RecordedBookEvent(
            BookEvent.SetLevel(polymarket.No, BookSide.Ask, Price.FromUnits(5_000 + i % 100), i, 0, T0 + i), T0 + i)).ToArray();
        var bytes = Write(registry, events);

        foreach (var cut in new[] { bytes.Length - 1, bytes.Length - 17, bytes.Length / 2, 20 })
        {
            RecordingReader? reader = null;
            var read = 0;
            var error = Assert.Throws<RecordingFormatException>(() =>
            {
                reader = new RecordingReader(new MemoryStream(bytes[..cut]), "cut.abrec");
                while (reader.TryRead(out _)) read++;
            });
            reader?.Dispose();
            Assert.Contains("cut.abrec", error.Message);
            Assert.Matches("cut short|ends without its end block|not an ArbBot recording|does not decompress", error.Message);
            Assert.Equal(reader?.EventsRead ?? 0, read);
            // Cut in the end block: every event is there; cut in the middle: the blocks before the cut are.
            if (cut >= bytes.Length - RecordingFormat.FrameHeaderLength) Assert.Equal(events.Length, read);
            else if (cut == bytes.Length / 2) Assert.InRange(read, 1, events.Length - 1);
        }
        _ = kalshi;
    }

    [Fact]
    public void A_damaged_byte_anywhere_in_a_block_is_reported_not_decoded_into_nonsense()
    {
        var (registry, kalshi, polymarket) = Catalog();
        var bytes = Write(registry, Enumerable.Range(0, 5_000).Select(i => new RecordedBookEvent(
            BookEvent.AddLevel(kalshi.Yes, BookSide.Ask, Price.FromUnits(4_000 + i % 50 * 10), 1 + i % 7, i + 1, T0 + i), T0 + i)));
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = random.Next(RecordingFormat.Magic.Length + 2, damaged.Length);
            damaged[at] ^= (byte)(1 << random.Next(8));
            try
            {
                var read = ReadAll(damaged);
                // A flip that still decodes must have hit nothing that matters (it cannot: every byte is checked).
                Assert.Fail($"a damaged byte at {at} went unnoticed ({read.Count} events read)");
            }
            catch (RecordingFormatException error)
            {
                Assert.Contains("test recording", error.Message);
            }
        }
        _ = polymarket;
    }

    [Fact]
    public void Work_events_are_not_market_data_and_are_refused()
    {
        var (registry, _, _) = Catalog();
        using var writer = new RecordingWriter(new MemoryStream(), RecordingCatalog.From(registry));
        Assert.Throws<ArgumentException>(() => writer.Write(new RecordedBookEvent(BookEvent.Run(new NoWork()), T0)));
    }

    private sealed class NoWork : IHubWork
    {
        public void Execute(MarketDataHub hub)
        {
        }
    }
}
