using System.Numerics;
using ArbBot.Engine.Desk;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Recording;

/// <summary>
/// The app's recording of its hub: when <see cref="RecordingOptions.Enabled"/>, a <see cref="BookEventRecorder"/> on
/// the live hub writing rotating files into <see cref="Directory"/>, each carrying the catalog, the approved pairs and
/// the desk's id state, so any one file replays. Closes the current file when disposed (after the hub has stopped).
/// </summary>
public sealed class DeskRecording(RecordingOptions options, string directory, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    /// <summary>Where recordings are written (and where the replay page looks for them).</summary>
    public string Directory { get; } = directory;

    public RecordingOptions Options { get; } = options;

    /// <summary>The live recorder, or null when recording is off (or before the desk is wired).</summary>
    public BookEventRecorder? Recorder { get; private set; }

    /// <summary>Starts recording <paramref name="hub"/>'s events (no-op when disabled). Call once, while wiring, before the hub runs.</summary>
    public void Attach(MarketDataHub hub, TradingDesk desk, OpportunityIds ids)
    {
        if (!Options.Enabled || Recorder is not null) return;
        Recorder = new BookEventRecorder(new BookEventRecorderOptions
        {
            Directory = Directory,
            MaxFileBytes = (long)Options.MaxFileMegabytes << 20,
            MaxFileAge = Options.MaxFileAge,
            BufferCapacity = (int)BitOperations.RoundUpToPowerOf2((uint)Options.BufferCapacity),
            Pairs = () => desk.Engine.ApprovedPairs,
            DeskIds = () => (desk.PaperIdToken, ids.Last),
        }, hub.Registry, time, loggers.CreateLogger<BookEventRecorder>());
        hub.Recorder = Recorder;
    }

    /// <summary>The file being written now (retention leaves it alone), or null.</summary>
    public string? CurrentFile => Recorder?.Files is { Count: > 0 } files ? files[^1] : null;

    public void Dispose() => Recorder?.Dispose();
}
