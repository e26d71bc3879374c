using ArbBot.Engine.Hosting;
using Microsoft.Extensions.Options;

namespace ArbBot.Web;

/// <summary>Turns configuration mistakes found at start-up into one clear line per mistake and exit code 2.</summary>
public static class StartupErrors
{
    public const int ConfigurationExitCode = 2;

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (Describe(ex) is { Count: > 0 } lines)
        {
            foreach (var line in lines) await Console.Error.WriteLineAsync($"Configuration error: {line}");
            return ConfigurationExitCode;
        }
    }

    /// <summary>The configuration mistakes an exception stands for, each naming its setting; empty for other errors.</summary>
    public static IReadOnlyList<string> Describe(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case StartupConfigurationException config:
                    return [config.Message];
                case OptionsValidationException validation:
                    return validation.Failures.Select(Clean).ToArray();
                case InvalidOperationException invalid when invalid.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase):
                    return [invalid.Message];
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.SelectMany(Describe).ToArray();
            }
        }
        return [];
    }

    /// <summary>DataAnnotations failures read "… members: 'X' with the error: 'message'."; our messages already name the setting.</summary>
    private static string Clean(string failure)
    {
        const string marker = "with the error: '";
        var at = failure.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? failure.Trim() : failure[(at + marker.Length)..].TrimEnd('.', '\'', ' ') + ".";
    }
}
