using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Hosting;

/// <summary>The desk's top-level settings (configuration section <c>ArbBot</c>).</summary>
public sealed class ArbBotOptions
{
    public const string Section = "ArbBot";

    /// <summary>
    /// How orders are executed at start-up. The desk always starts on paper: live trading is armed by an admin on the
    /// dashboard's Live trading page (or <c>POST /api/live/arm</c>), never by configuration, and a restart returns to paper.
    /// </summary>
    /// <value>Paper (the default, and the only mode the desk starts in). Live is accepted for compatibility and
    /// only logs that arming is done from the dashboard.</value>
    public TradingMode Mode { get; set; } = TradingMode.Paper;
}

/// <summary>Where the desk keeps its records (section <c>ArbBot:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "ArbBot:Storage";

    /// <summary>The SQLite database file, used unless a PostgreSQL connection string is set.</summary>
    /// <value>A file path, relative to the working directory or absolute. Default <c>data/arbbot.db</c>.</value>
    [Required(AllowEmptyStrings = false, ErrorMessage = "ArbBot:Storage:SqlitePath must name a file.")]
    public string SqlitePath { get; set; } = "data/arbbot.db";

    /// <summary>A PostgreSQL connection string; when set, PostgreSQL is used instead of SQLite.</summary>
    /// <value>Npgsql syntax, e.g. <c>Host=localhost;Database=arbbot;Username=arbbot;Password=…</c>. Default: none.</value>
    [Secret]
    public string? PostgresConnectionString { get; set; }

    public bool UsePostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}

/// <summary>One venue's settings (section <c>ArbBot:Venues:{Kalshi|Polymarket}</c>).</summary>
public sealed class VenueOptions
{
    /// <summary>Whether the desk uses this venue at all.</summary>
    /// <value>Default true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Where this venue's market data comes from.</summary>
    /// <value>Simulated (default: the built-in simulator, no network or credentials), Real, or Replay.</value>
    public DataSource Source { get; set; } = DataSource.Simulated;

    /// <summary>The venue's default price tick, in dollars; markets may state their own.</summary>
    /// <value>Kalshi: 0.01 or 0.001. Polymarket: 0.1, 0.01, 0.001 or 0.0001. Default 0.01.</value>
    public decimal TickSize { get; set; } = 0.01m;

    /// <summary>The tick sizes each venue documents.</summary>
    public static IReadOnlyList<decimal> DocumentedTicks(VenueId venue) => venue switch
    {
        VenueId.Kalshi => [0.01m, 0.001m],
        VenueId.Polymarket => [0.1m, 0.01m, 0.001m, 0.0001m],
        _ => [],
    };
}

/// <summary>Dashboard sign-in (section <c>ArbBot:Auth</c>). Secrets here are read once and only their hash is kept.</summary>
public sealed class AuthOptions
{
    public const string Section = "ArbBot:Auth";

    /// <summary>An admin to create or update at start-up.</summary>
    /// <value>A user name of 1–64 letters, digits, '.', '_' or '-'; empty for none (a first run then creates 'admin' with a random password).</value>
    [RegularExpression(@"^[A-Za-z0-9._\-]{0,64}$", ErrorMessage = "ArbBot:Auth:AdminUser may only contain letters, digits, '.', '_' and '-' (at most 64).")]
    public string? AdminUser { get; set; }

    /// <summary>That admin's password; stored only as a hash.</summary>
    /// <value>At least 8 characters when <see cref="AdminUser"/> is set.</value>
    [Secret]
    public string? AdminPassword { get; set; }

    /// <summary>Failed sign-ins in a row before the account is locked.</summary>
    /// <value>1–100, default 5.</value>
    [Range(1, 100, ErrorMessage = "ArbBot:Auth:MaxFailedLogins must be between {1} and {2}.")]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    /// <value>00:00:10 to 1.00:00:00, default 00:05:00.</value>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "ArbBot:Auth:Lockout must be between {1} and {2}.")]
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(5);
}
