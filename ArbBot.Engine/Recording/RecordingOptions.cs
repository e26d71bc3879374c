using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.Recording;

/// <summary>Recording of the hub's book events to rotating files (configuration section <c>ArbBot:Recording</c>).</summary>
public sealed class RecordingOptions
{
    public const string Section = "ArbBot:Recording";

    /// <summary>Whether every normalized book event is recorded.</summary>
    /// <value>Default true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The folder of the recording files.</summary>
    /// <value>A folder path; default <c>recordings</c> beside the SQLite database (the data folder, <c>data/recordings</c>).</value>
    public string? Directory { get; set; }

    /// <summary>A new file is started once the current one holds this many compressed megabytes.</summary>
    /// <value>From 1 to 65,536. Default 256.</value>
    [Range(1, 65_536, ErrorMessage = "ArbBot:Recording:MaxFileMegabytes must be between 1 and 65536")]
    public int MaxFileMegabytes { get; set; } = 256;

    /// <summary>A new file is started once the current one is this old.</summary>
    /// <value>From 1 min to 1 day. Default 1 h.</value>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "ArbBot:Recording:MaxFileAge must be between 00:01:00 and 1.00:00:00")]
    public TimeSpan MaxFileAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events the hub can hand over before the writer catches up; beyond it events are dropped, counted, logged and marked in the file as a gap.</summary>
    /// <value>A power of two from 1,024 to 4,194,304. Default 65,536.</value>
    [Range(1_024, 4_194_304, ErrorMessage = "ArbBot:Recording:BufferCapacity must be between 1024 and 4194304")]
    public int BufferCapacity { get; set; } = 65_536;

    /// <summary>Recording files whose last write is older than this are deleted by retention.</summary>
    /// <value>From 1 h to 3,650 days. Default 7 days.</value>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00", ErrorMessage = "ArbBot:Recording:KeepFor must be between 01:00:00 and 3650.00:00:00")]
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The recordings folder: <see cref="Directory"/>, or <c>recordings</c> beside <paramref name="sqlitePath"/>.</summary>
    public string ResolveDirectory(string sqlitePath) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(Directory) ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sqlitePath)) ?? ".", "recordings") : Directory);
}
