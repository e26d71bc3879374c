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
    }
}
