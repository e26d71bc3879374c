using System.Diagnostics;
using ArbBot.Engine.Core;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Risk;

namespace ArbBot.Engine.Replay;

/// <summary>How a replay run trades and reports.</summary>
public sealed record ReplayRunOptions
{
    /// <summary>Risk limits for the run (default: the desk's defaults).</summary>
    public RiskLimits Limits { get; init; } = new();

    /// <summary>Whether the spike hunter may trade (off by default, as on the live desk).</summary>
    public bool SpikeHunterTrading { get; init; }

    /// <summary>The PnL curve's sampling interval in replay time (also the Sharpe ratio's return interval). Default 1 min.</summary>
    public TimeSpan CurveInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Parity: follow the recording's hub trace so the desk reproduces the recorded run's decisions exactly. Only holds
    /// when the limits and settings are the recorded desk's; a what-if run with other limits leaves it off (default),
    /// and posted work then runs right after each event.
    /// </summary>
    public bool FollowTrace { get; init; }
}

/// <summary>How far a replay is: the fraction of the recording's bytes read, events replayed, the replay clock.</summary>
public sealed record ReplayProgress(double Fraction, long Events, DateTimeOffset ReplayTime);

/// <summary>What a replay run did: the files, the counts, the replay period, the wall time and the performance report.</summary>
public sealed record ReplayRunResult(
    IReadOnlyList<string> Files,
    long Events,
    long Errors,
    long Gaps,
    long EventsDropped,
    bool Traced,
    DateTimeOffset From,
    DateTimeOffset To,
    TimeSpan Elapsed,
    long Opportunities,
    long OrdersSent,
    long Fills,
    ReplayStatisticsReport Report,
    ReplayJournal Journal);

/// <summary>
/// Replays a recording — one file, or a folder of rotated files in name order (the recorder names them by time) — on
/// its own <see cref="ReplayDesk"/>: a fresh registry, hub, paper gateways and portfolio wired by TradingDesk.Create,
/// never the live desk's. As fast as the machine allows, on the calling thread, reporting progress and honouring
/// cancellation between events.
/// </summary>
public static class ReplayRunner
{
    /// <summary>The recording files of <paramref name="path"/>: itself, or a folder's recording files in name order.</summary>
    /// <exception cref="FileNotFoundException">Nothing to replay there.</exception>
    public static IReadOnlyList<string> ResolveFiles(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*" + RecordingFormat.FileExtension).Order(StringComparer.Ordinal).ToList();
            if (files.Count > 0) return files;
            throw new FileNotFoundException($"{path} holds no recording files (*{RecordingFormat.FileExtension}).", path);
        }
        throw new FileNotFoundException($"No recording file or folder at {path}.", path);
    }

    /// <exception cref="RecordingFormatException">A file is damaged (events before the damage were replayed).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static ReplayRunResult Run(IReadOnlyList<string> files, ReplayRunOptions options, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(files.Count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CurveInterval, TimeSpan.Zero);
        var (start, token, lastOpportunity) = Preface(files[0]);
        var registry = new InstrumentRegistry();
        var watch = Stopwatch.StartNew();
        var totalBytes = Math.Max(1, files.Sum(f => new FileInfo(f).Length));
        long doneBytes = 0, events = 0, errors = 0, gaps = 0, dropped = 0;
        var traced = false;
        ReplayDesk? desk = null;
        var curve = new List<PnlPoint> { new(start, 0m) };
        var nextSample = start + options.CurveInterval;
        var lastProgress = 0L;
        foreach (var file in files)
        {
            using var reader = RecordingReader.Open(file, registry);
            desk ??= ReplayDesk.Create(reader.Catalog, registry, start, new ReplayDeskOptions
            {
                Limits = options.Limits,
                SpikeHunterTrading = options.SpikeHunterTrading,
                KeepRecords = true,
                PaperIdToken = token,
                LastOpportunityId = lastOpportunity,
            });
            desk.ApplyPairs(reader.Catalog);
            var clock = desk.Clock!;
            var portfolio = desk.Desk.Portfolio;
            var fileBytes = doneBytes;
            var run = desk.Replay(reader, () =>
            {
                var now = clock.GetUtcNow();
                while (now >= nextSample)
                {
                    curve.Add(new PnlPoint(nextSample, portfolio.Equity - portfolio.StartingEquity));
                    nextSample += options.CurveInterval;
                }
                // Progress at most every 4 K entries: cheap enough not to slow the replay.
                if (progress is not null && ++lastProgress % 4_096 == 0)
                {
                    progress.Report(new ReplayProgress(Math.Min(1, (fileBytes + reader.BytesRead) / (double)totalBytes), events + reader.EventsRead, now));
                }
            }, options.FollowTrace, cancellationToken);
            events += run.Events;
            errors += run.Errors;
            traced |= run.Traced;
            gaps += reader.Gaps;
            dropped += reader.EventsDropped;
            doneBytes += new FileInfo(file).Length;
        }
        watch.Stop();
        var end = desk!.Clock!.GetUtcNow();
        var finalPnl = desk.Desk.Portfolio.Equity - desk.Desk.Portfolio.StartingEquity;
        if (curve[^1].At < end || curve.Count == 1) curve.Add(new PnlPoint(end, finalPnl));
        progress?.Report(new ReplayProgress(1, events, end));
        var report = ReplayStatisticsReport.Compute(curve, options.CurveInterval, desk.Desk.Portfolio.StartingEquity, desk.Journal.Outcomes);
        return new ReplayRunResult(files, events, errors + desk.Hub.ErrorCount, gaps, dropped, traced, start, end, watch.Elapsed,
            desk.Journal.OpportunitiesTaken + desk.Journal.OpportunitiesRejected, desk.Journal.OrdersSent, desk.Journal.Fills, report, desk.Journal);
    }

    /// <summary>The first event's time and the desk ids the recorder noted at the start of the file.</summary>
    private static (DateTimeOffset Start, string? PaperIdToken, long LastOpportunityId) Preface(string file)
    {
        using var reader = RecordingReader.Open(file, new InstrumentRegistry());
        string? token = null;
        long lastOpportunity = 0;
        while (reader.TryReadEntry(out var recorded, out var control))
        {
            switch (control.Kind)
            {
                case RecordingControlKind.PaperIdToken:
                    token = control.Value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case RecordingControlKind.LastOpportunityId:
                    lastOpportunity = control.Value;
                    break;
                case RecordingControlKind.None:
                    return (new DateTimeOffset(recorded.ReceivedUtcTicks, TimeSpan.Zero), token, lastOpportunity);
            }
        }
        throw new RecordingFormatException($"{file} holds no book events to replay.");
    }
}
