using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Faults;

/// <summary>
/// The disk fills up while book events are recorded: the hub keeps applying events (never blocked, books right), the
/// recorder stops writing, says so once (an error log, which notifications carry) and drops events with a count rather
/// than opening a file per event, tries again after a pause, and records again once space is back.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RecordingFaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-diskfull-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_full_disk_pauses_recording_with_one_alert_never_blocks_the_hub_and_recording_resumes_when_space_returns()
    {
        await using var fault = FaultReport.Begin("Disk full while recording", "Recording");
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(new Market(VenueId.Kalshi, "KXA", "KXA-E", "A?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
            FeeParameters.None), "KXA:yes", "KXA:no");
        var time = new ManualTimeProvider();
        var disk = new Disk();
        var logs = new CapturedLogs();
        var opened = 0;
        var recorder = new BookEventRecorder(new BookEventRecorderOptions
        {
            Directory = _folder,
            FlushInterval = TimeSpan.FromMilliseconds(100),
            RetryInterval = TimeSpan.FromSeconds(5),
            OpenStream = path =>
            {
                Interlocked.Increment(ref opened);
                return new FullableStream(new FileStream(path, FileMode.CreateNew), disk);
            },
        }, registry, time, new Microsoft.Extensions.Logging.Logger<BookEventRecorder>(logs));
        var hub = new MarketDataHub(registry, time) { Recorder = recorder };

        var size = 0m;
        void Apply(int count)
        {
            for (var i = 0; i < count; i++)
            {
                size++;
                hub.Apply(BookEvent.SetLevel(market.Yes, BookSide.Bid, Price.FromUnits(4_000), size));
            }
        }

        Apply(10);
        await WaitAsync(() => recorder.Written == 10, "the first events written");

        disk.Full = true;
        fault.Inject();
        Apply(50);
        // The flush that meets the full disk happens on the recorder's clock.
        await WaitAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(200));
            return recorder.Problem is not null;
        }, "the recorder to notice the full disk");
        Assert.Contains("No space left on device", recorder.Problem);
        var openedAtPause = Volatile.Read(ref opened);

        // While paused: the hub applies every event at once and the book is right; the recorder neither blocks nor retries per event.
        Apply(500);
        Assert.Equal(size, hub.TryGetBook(market.Yes)!.Level(BookSide.Bid, 0).Size);
        await WaitAsync(() => recorder.Dropped >= 500, "the paused recorder to drop and count events");
        Assert.Equal(openedAtPause, Volatile.Read(ref opened));
        Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("No space left on device", StringComparison.Ordinal));

        disk.Full = false;
        time.Advance(TimeSpan.FromSeconds(6));
        var before = recorder.Written;
        Apply(20);
        await WaitAsync(() => recorder.Written >= before + 20, "recording to resume");
        Assert.Null(recorder.Problem);
        Assert.Contains(logs.Lines, l => l.Contains("resumed", StringComparison.Ordinal));
        recorder.Dispose();

        // The file started after the outage reads back whole, ending with the last event the hub applied.
        using var reader = RecordingReader.Open(recorder.Files[^1]);
        RecordedBookEvent last = default;
        var read = 0;
        while (reader.TryRead(out var e))
        {
            last = e;
            read++;
        }
        Assert.True(read >= 20, $"only {read} events after recovery");
        Assert.Equal(size, last.Event.Size);
        fault.Survived($"hub never blocked (book right throughout); one error logged; {recorder.Dropped} events dropped and counted; {Volatile.Read(ref opened)} files opened in all; resumed after the pause");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }

    private sealed class Disk
    {
        public volatile bool Full;
    }

    /// <summary>A file stream on a disk that can fill up: writes and flushes then fail as Linux reports ENOSPC.</summary>
    private sealed class FullableStream(Stream inner, Disk disk) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
            Check();
            inner.Flush();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Check();
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check();
            inner.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private void Check()
        {
            if (disk.Full) throw new IOException("No space left on device");
        }
    }
}
