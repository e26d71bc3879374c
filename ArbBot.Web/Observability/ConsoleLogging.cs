namespace ArbBot.Web.Observability;

public static class ConsoleLogging
{
    /// <summary>The setting that switches the console to one JSON object per line (<c>ArbBot:Logging:Json</c>).</summary>
    public const string JsonSetting = "ArbBot:Logging:Json";

    /// <summary>
    /// With <c>ArbBot:Logging:Json=true</c> the console writes one JSON object per line with UTC timestamps and
    /// scopes (the correlation ids of opportunities and orders); otherwise the standard console configuration applies
    /// (<c>Logging:Console:FormatterName</c> = simple, systemd or json works as usual).
    /// </summary>
    public static ILoggingBuilder AddArbBotConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        // Read leniently here: a value that is not true/false is refused at start-up with its name (ConsoleLoggingOptions),
        // where the mistake is reported in one line instead of a stack trace from the logging set-up.
        if (bool.TryParse(configuration[JsonSetting], out var json) && json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        return logging;
    }
}

/// <summary>The console log settings (configuration section <c>ArbBot:Logging</c>), bound so they are checked at start-up.</summary>
public sealed class ConsoleLoggingOptions
{
    public const string Section = "ArbBot:Logging";

    /// <summary>One JSON object per line with UTC timestamps and scopes instead of the standard console format. Default: false.</summary>
    public bool Json { get; set; }
}
