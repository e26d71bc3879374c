using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ArbBot.Tests.Faults;

/// <summary>One row of the fault report: a fault injected into one venue (or part), how often, and whether the desk came through.</summary>
/// <param name="Fault">What was broken, in words ("WebSocket dropped mid-stream").</param>
/// <param name="Venue">The venue or part it was done to ("Kalshi", "Polymarket", "Recording", "Database").</param>
/// <param name="Injected">How many times the fault was injected in the test.</param>
/// <param name="Survived">True when every expectation held: no crash, stale while broken, degraded and alerted, recovered, nothing lost.</param>
/// <param name="Recovery">From the injection to the books (or the part) being whole again; null when there is nothing to recover.</param>
/// <param name="Notes">Anything worth a line: what was asserted, a max parse time, why it failed.</param>
public sealed record FaultRow(string Fault, string Venue, int Injected, bool Survived, TimeSpan? Recovery, string Notes = "");

/// <summary>
/// The fault report every fault and fuzz test records into, rewritten to <c>artifacts/fault-report.md</c> at the repository
/// root after each row, so the file holds the whole run when the run ends (tests run in any order and in parallel).
/// To add rows from a new test: <c>await using var fault = FaultReport.Begin("Database unavailable", "Database");</c>,
/// <c>fault.Inject()</c> each time the fault is injected, <c>fault.Survived("notes")</c> once every expectation held;
/// a scope disposed without <c>Survived</c> (the test failed) records a row that did not survive. Or call
/// <see cref="Record"/> with a finished row.
/// </summary>
public static class FaultReport
{
    private static readonly Lock Gate = new();
    private static readonly List<FaultRow> Rows = [];

    /// <summary>Where the report is written.</summary>
    public static string FilePath { get; } = Path.Combine(RepositoryRoot(), "artifacts", "fault-report.md");

    /// <summary>Every row recorded so far in this run.</summary>
    public static IReadOnlyList<FaultRow> Recorded
    {
        get
        {
            lock (Gate) return [.. Rows];
        }
    }

    /// <summary>Starts timing one fault scenario; its recovery time runs from the first <see cref="FaultScope.Inject"/>.</summary>
    public static FaultScope Begin(string fault, string venue) => new(fault, venue);

    /// <summary>Adds a finished row and rewrites the report file.</summary>
    public static void Record(FaultRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string text;
        lock (Gate)
        {
            Rows.Add(row);
            text = RenderLocked();
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                File.WriteAllText(FilePath, text);
            }
            catch (IOException)
            {
                // The report is a by-product; a full or read-only disk must not fail the fault tests themselves.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The report as Markdown.</summary>
    public static string Render()
    {
        lock (Gate) return RenderLocked();
    }

    private static string RenderLocked()
    {
        var text = new StringBuilder();
        text.AppendLine("# Fault report").AppendLine();
        var survived = Rows.Count(r => r.Survived);
        text.Append(CultureInfo.InvariantCulture, $"{Rows.Count} scenarios, {Rows.Sum(r => r.Injected)} faults injected, {survived} scenarios survived, {Rows.Count - survived} did not.").AppendLine().AppendLine();
        text.AppendLine("| fault | venue | injected | survived | recovery | notes |");
        text.AppendLine("|---|---|---:|---|---:|---|");
        foreach (var r in Rows.OrderBy(r => r.Fault, StringComparer.Ordinal).ThenBy(r => r.Venue, StringComparer.Ordinal))
        {
            var recovery = r.Recovery is { } t ? t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";
            text.Append(CultureInfo.InvariantCulture, $"| {Cell(r.Fault)} | {Cell(r.Venue)} | {r.Injected} | {(r.Survived ? "yes" : "**no**")} | {recovery} | {Cell(r.Notes)} |").AppendLine();
        }
        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArbBot.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}

/// <summary>One fault scenario being run: counts injections, times the recovery, records a row when disposed.</summary>
public sealed class FaultScope : IAsyncDisposable, IDisposable
{
    private readonly string _fault;
    private readonly string _venue;
    private long _firstInjection;
    private int _injected;
    private FaultRow? _row;

    internal FaultScope(string fault, string venue)
    {
        _fault = fault;
        _venue = venue;
    }

    /// <summary>Injections so far.</summary>
    public int Injected => _injected;

    /// <summary>Counts one injection (the first starts the recovery clock).</summary>
    public void Inject(int count = 1)
    {
        if (_injected == 0) _firstInjection = Stopwatch.GetTimestamp();
        _injected += count;
    }

    /// <summary>Every expectation held: the row is recorded as survived, with the time since the first injection.</summary>
    public void Survived(string notes = "", bool timed = true) =>
        _row = new FaultRow(_fault, _venue, _injected, true, timed && _injected > 0 ? Stopwatch.GetElapsedTime(_firstInjection) : null, notes);

    public void Dispose()
    {
        FaultReport.Record(_row ?? new FaultRow(_fault, _venue, _injected, false, null, "the test failed before recovery was seen"));
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
