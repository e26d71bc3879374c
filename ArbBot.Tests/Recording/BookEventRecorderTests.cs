using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Recording;

public sealed class BookEventRecorderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-rec-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (InstrumentRegistry Registry, Market Market) Registry()
    {
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(new Market(VenueId.Kalshi, "KXA", "KXA-E", "A?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
            FeeParameters.None), "KXA:yes", "KXA:no");
        return (registry, market);
    }

    private static List<RecordedBookEvent> ReadFiles(IEnumerable<string> files)
    {
        var events = new List<RecordedBookEvent>();
        foreach (var file in files)
        {
            using var reader = RecordingReader.Open(file);
            while (reader.TryRead(out var e)) events.Add(e);
        }
        return events;
    }

    [Fact]
    public void The_hub_records_every_book_event_it_applies_with_its_receive_time_and_the_catalog()
    {
        var (registry, market) = Registry();
        var time = new ManualTimeProvider();
        var hub = new MarketDataHub(registry, time);
        var recorder = new BookEventRecorder(new BookEventRecorderOptions { Directory = _folder }, registry, time);
        hub.Recorder = recorder;

        hub.Apply(BookEvent.Snapshot(market.Yes, [new(Price.FromUnits(4_000), 10m)], [new(Price.FromUnits(4_200), 5m)], 1, time.GetUtcNow().UtcTicks - 50));
        time.Advance(TimeSpan.FromMilliseconds(3));
        hub.Apply(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(4_000), 2m, 2));
        Assert.Throws<KeyNotFoundException>(() => hub.Apply(BookEvent.Heartbeat(new InstrumentId(99))));
        recorder.Dispose();

        var file = Assert.Single(recorder.Files);
        var replayRegistry = new InstrumentRegistry();
        using var reader = RecordingReader.Open(file, replayRegistry);
        Assert.True(reader.TryRead(out var snapshot));
        Assert.Equal(BookEventKind.Snapshot, snapshot.Event.Kind);
        Assert.Equal(time.GetUtcNow().UtcTicks - TimeSpan.FromMilliseconds(3).Ticks, snapshot.ReceivedUtcTicks);
        Assert.Equal(snapshot.ReceivedUtcTicks - 50, snapshot.Event.VenueUtcTicks);
        Assert.True(reader.TryRead(out var delta));
        Assert.Equal(time.GetUtcNow().UtcTicks, delta.ReceivedUtcTicks);
        Assert.Equal(2m, delta.Event.Size);
        // The event for an unknown instrument failed on the hub and was not recorded: a replay could not place it.
        Assert.False(reader.TryRead(out _));
        Assert.Equal("KXA:yes", replayRegistry[market.Yes].Symbol);
        Assert.Equal(0, recorder.Dropped);
    }

    [Fact]
    public void Files_rotate_by_age_and_each_starts_with_the_catalog()
    {
        var (registry, market) = Registry();
        var time = new ManualTimeProvider();
        var recorder = new BookEventRecorder(new BookEventRecorderOptions { Directory = _folder, MaxFileAge = TimeSpan.FromMinutes(1) }, registry, time);
        for (var i = 0; i < 30; i++)
        {
            recorder.Record(BookEvent.SetLevel(market.No, BookSide.Ask, Price.FromUnits(100 + i), i + 1), time.GetUtcNow().UtcTicks);
            // Let the writer take it before the clock moves (rotation is judged by the recorder's clock).
            SpinWait.SpinUntil(() => recorder.Written == i + 1, TimeSpan.FromSeconds(10));
            time.Advance(TimeSpan.FromSeconds(10));
        }
        recorder.Dispose();

        Assert.True(recorder.Files.Count >= 4, $"expected rotation every minute, got {recorder.Files.Count} files");
        var events = ReadFiles(recorder.Files);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (decimal)i), events.Select(e => e.Event.Size));
        foreach (var file in recorder.Files)
        {
            using var reader = RecordingReader.Open(file);
            Assert.Equal(2, reader.Catalog.InstrumentCount);
        }
    }

    [Fact]
    public void When_storage_cannot_keep_up_the_hub_is_never_blocked_and_the_dropped_events_are_counted()
    {
        var (registry, market) = Registry();
        var time = new ManualTimeProvider();
        var recorder = new BookEventRecorder(new BookEventRecorderOptions { Directory = _folder, BufferCapacity = 16 }, registry, time);
        // Far more than the buffer holds, handed over in a burst faster than a file is written.
        for (var i = 0; i < 200_000; i++) recorder.Record(BookEvent.Heartbeat(market.Yes), time.GetUtcNow().UtcTicks);
        recorder.Dispose();

        Assert.True(recorder.Dropped > 0);
        Assert.Equal(200_000, recorder.Written + recorder.Dropped);
        Assert.Equal(recorder.Written, ReadFiles(recorder.Files).Count);
        // The file says where it lacks events and how many.
        long gaps = 0, missing = 0;
        foreach (var file in recorder.Files)
        {
            using var reader = RecordingReader.Open(file);
            while (reader.TryRead(out _))
            {
            }
            gaps += reader.Gaps;
            missing += reader.EventsDropped;
        }
        Assert.True(gaps >= 1);
        Assert.Equal(recorder.Dropped, missing);
    }

    [Fact]
    public void Files_rotate_by_size_and_any_single_file_replays_on_its_own_with_the_pairs_traded_at_the_time()
    {
        var registry = new InstrumentRegistry();
        var kalshi = registry.AddMarket(new Market(VenueId.Kalshi, "KXA", "KXA-E", "A?", "r", "s", DateTimeOffset.UnixEpoch.AddYears(60), TickSize.Cent, 1m, "Yes",
            FeeParameters.None), "KXA:yes", "KXA:no");
        var polymarket = registry.AddMarket(new Market(VenueId.Polymarket, "0xa", "0xa-e", "A?", "r", "s", DateTimeOffset.UnixEpoch.AddYears(60), TickSize.Cent, 1m, "Yes",
            FeeParameters.None, QuantityStep: 0.01m), "0xa:yes", "0xa:no");
        IReadOnlyList<RecordedPair> pairs = [new RecordedPair(4, "KXA", "0xa", Engine.Matching.PairMapping.YesYes)];
        var time = new ManualTimeProvider();
        var recorder = new BookEventRecorder(new BookEventRecorderOptions { Directory = _folder, MaxFileBytes = 1L << 20, Pairs = () => pairs }, registry, time);
        var random = new Random(5);
        var instruments = new[] { kalshi.Yes, kalshi.No, polymarket.Yes, polymarket.No };
        foreach (var id in instruments)
        {
            recorder.Record(BookEvent.Snapshot(id, [new(Price.FromUnits(4_000), 10m)], [new(Price.FromUnits(6_000), 10m)], 0), time.GetUtcNow().UtcTicks);
        }
        // Random sizes compress poorly: a few hundred thousand events pass 1 MiB more than once.
        const int Count = 600_000;
        for (var i = 0; i < Count; i++)
        {
            if (i % 1_000 == 0) SpinWait.SpinUntil(() => recorder.Written >= i, TimeSpan.FromSeconds(30));
            time.Advance(TimeSpan.FromMilliseconds(1));
            recorder.Record(BookEvent.SetLevel(instruments[i % 4], BookSide.Bid, Price.FromUnits(100 * (1 + random.Next(39))), random.Next(1, 1_000_000) / 100m),
                time.GetUtcNow().UtcTicks);
        }
        recorder.Dispose();

        Assert.Equal(0, recorder.Dropped);
        Assert.True(recorder.Files.Count >= 2, $"expected rotation at 1 MiB, got {recorder.Files.Count} file(s)");
        Assert.All(recorder.Files.SkipLast(1), f => Assert.InRange(new FileInfo(f).Length, 1L << 20, (1L << 20) + (256 << 10)));
        Assert.Equal(Count + 4, ReadFiles(recorder.Files).Count);
        foreach (var file in recorder.Files)
        {
            // Each file alone: a fresh registry gets every instrument and the pair from the file's own catalog.
            var fresh = new InstrumentRegistry();
            using var reader = RecordingReader.Open(file, fresh);
            Assert.Equal(4, fresh.Count);
            Assert.Equal(pairs, reader.Catalog.Pairs);
            var result = Engine.Replay.ReplayRunner.Run([file], new Engine.Replay.ReplayRunOptions());
            Assert.True(result.Events > 0);
            Assert.Equal(0, result.Errors);
        }
    }
}
