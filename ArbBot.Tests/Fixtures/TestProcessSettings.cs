using System.Runtime.CompilerServices;

namespace ArbBot.Tests.Fixtures;

/// <summary>Process-wide settings for the test run, applied before any test starts.</summary>
internal static class TestProcessSettings
{
    /// <summary>
    /// The suite starts hundreds of hosts (the app, the venue fakes) and child processes, many at once. Each host would
    /// watch its settings files with an inotify instance, and Linux allows a user only 128 of them (the default on CI
    /// machines), so the run would fail on "inotify instances has been reached". Nothing in a test edits settings files
    /// while a host runs: hosts here do not watch them, and any file watcher polls instead. Child processes inherit this.
    /// </summary>
    [ModuleInitializer]
    internal static void Apply()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
