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
        if (configuration.GetValue<bool>(JsonSetting))
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
