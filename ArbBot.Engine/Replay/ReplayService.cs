using ArbBot.Engine.Control;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Risk;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Replay;

/// <summary>A recording file the replay page offers.</summary>
public sealed record RecordingFileInfo(string Name, long Bytes, DateTimeOffset LastWriteUtc);

/// <summary>Where a replay started from the dashboard is.</summary>
public enum ReplayJobStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>One replay run started from the dashboard: its progress, and the saved report's id once done.</summary>
public sealed class ReplayJob(long id, string source, string startedBy, DateTimeOffset started)
{
    private readonly CancellationTokenSource _cancel = new();

    public long Id { get; } = id;
    public string Source { get; } = source;
    public string StartedBy { get; } = startedBy;
    public DateTimeOffset Started { get; } = started;
    public volatile ReplayProgress? Progress;
    public ReplayJobStatus Status { get; internal set; } = ReplayJobStatus.Running;
    public string? Error { get; internal set; }
    public long? ReportId { get; internal set; }

    /// <summary>Percent done, 0–100.</summary>
    public double Percent => Status == ReplayJobStatus.Completed ? 100 : Math.Round((Progress?.Fraction ?? 0) * 100, 1);

    internal CancellationToken Token => _cancel.Token;

    public void Cancel() => _cancel.Cancel();
}

/// <summary>
/// Runs replays for the dashboard on their own thread and their own desk (a fresh engine from
/// <see cref="ReplayRunner"/>; the live desk, its portfolio and its records are never touched), one at a time so a
/// replay cannot starve the live hub of both cores, and saves each report. <see cref="Changed"/> is raised off any
/// UI thread, at most every 250 ms while a replay runs.
/// </summary>
public sealed class ReplayService(DeskRecording recording, ReplayReportStore reports, TimeProvider time, ILogger<ReplayService> logger)
{
    private readonly Lock _gate = new();
    private long _nextJob;

    /// <summary>The folder recordings are listed from.</summary>
    public string Directory => recording.Directory;

    /// <summary>The replay running now or the last one (null before the first).</summary>
    public ReplayJob? Current { get; private set; }

    /// <summary>Raised when a replay progresses, ends or starts.</summary>
    public event Action? Changed;

    /// <summary>The recording files in the recordings folder, newest first.</summary>
    public IReadOnlyList<RecordingFileInfo> ListRecordings()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        // The file being written has no end yet: it is offered once it rotates.
        var current = recording.CurrentFile is { } file ? Path.GetFileName(file) : null;
        return new DirectoryInfo(Directory).GetFiles("*" + RecordingFormat.FileExtension)
            .Where(f => f.Name != current)
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => new RecordingFileInfo(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToList();
    }

    /// <summary>Starts replaying <paramref name="fileName"/> (a file in the recordings folder) with <paramref name="limits"/>.</summary>
    public CommandResult<ReplayJob> Start(string fileName, RiskLimits limits, string actor)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName != Path.GetFileName(fileName) || !fileName.EndsWith(RecordingFormat.FileExtension, StringComparison.Ordinal))
        {
            return CommandResult<ReplayJob>.Refused(new CommandError("file", "Choose a recording file from the recordings folder."));
        }
        var path = Path.Combine(Directory, fileName);
        if (!File.Exists(path)) return CommandResult<ReplayJob>.Refused(new CommandError("file", $"{fileName} is not in the recordings folder any more."));
        ReplayJob job;
        lock (_gate)
        {
            if (Current is { Status: ReplayJobStatus.Running }) return CommandResult<ReplayJob>.Refused(new CommandError("file", "A replay is running; wait for it or cancel it."));
            job = new ReplayJob(++_nextJob, fileName, actor, time.GetUtcNow());
            Current = job;
        }
        var thread = new Thread(() => Run(job, path, limits)) { IsBackground = true, Name = "ArbBot replay", Priority = ThreadPriority.BelowNormal };
        thread.Start();
        Changed?.Invoke();
        return CommandResult<ReplayJob>.Ok(job);
    }

    private void Run(ReplayJob job, string path, RiskLimits limits)
    {
        var lastRaised = time.GetTimestamp();
        try
        {
            var progress = new InlineProgress(p =>
            {
                job.Progress = p;
                if (time.GetElapsedTime(lastRaised) < TimeSpan.FromMilliseconds(250)) return;
                lastRaised = time.GetTimestamp();
                Changed?.Invoke();
            });
            var result = ReplayRunner.Run([path], new ReplayRunOptions { Limits = limits }, progress, job.Token);
            job.ReportId = reports.SaveAsync(result, job.Source, job.Started, time.GetUtcNow(), job.StartedBy, CancellationToken.None).GetAwaiter().GetResult();
            job.Status = ReplayJobStatus.Completed;
            logger.LogInformation("Replay of {Source} done: {Events} events, {Trades} trades, PnL {Pnl}, report {Report}", job.Source, result.Events,
                result.Report.Trades, result.Report.FinalPnl, job.ReportId);
        }
        catch (OperationCanceledException)
        {
            job.Status = ReplayJobStatus.Cancelled;
        }
        catch (Exception ex)
        {
            job.Error = ex is RecordingFormatException or IOException ? ex.Message : "The replay failed; see the log.";
            job.Status = ReplayJobStatus.Failed;
            logger.LogError(ex, "Replay of {Source} failed", job.Source);
        }
        Changed?.Invoke();
    }

    /// <summary>Reports on the replay thread itself (Progress&lt;T&gt; would post to a sync context or the pool).</summary>
    private sealed class InlineProgress(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }
}
