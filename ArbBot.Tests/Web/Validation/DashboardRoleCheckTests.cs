using System.Reflection;
using System.Text.RegularExpressions;

namespace ArbBot.Tests.Web.Validation;

/// <summary>
/// Every dashboard handler that changes something checks the Admin role on the server, not only by disabling buttons.
/// The commands are found by reflection (every public method of the engine and web assemblies taking the acting user
/// as <c>string actor</c>: desk commands, pairs, users, replays, ... so a new command is covered without listing it);
/// every call to one from a Razor component must pass an actor that came from <c>DeskActor.AdminName</c> (null for a
/// Viewer) and the component must refuse when it is null. A call passing anything else — a literal name, the user's
/// name without the role check — fails the test.
/// </summary>
public sealed partial class DashboardRoleCheckTests
{
    [Fact]
    public void Every_state_changing_call_from_the_dashboard_acts_only_for_an_admin()
    {
        var components = Path.Combine(RepositoryRoot(), "ArbBot.Web", "Components");
        var files = Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(components, "*.razor.cs", SearchOption.AllDirectories));
        var problems = new List<string>();
        var calls = 0;
        foreach (var file in files)
        {
            var found = Check(File.ReadAllText(file), Path.GetRelativePath(components, file), problems);
            calls += found;
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        // Pause/resume/kill, limits, strategies, notifications, live arming, pairs, users, replays at least.
        Assert.True(calls >= 15, $"only {calls} state-changing calls found in the dashboard; is the command discovery still working?");
    }

    [Theory]
    [InlineData("""private Task PauseAsync() => Commands.PauseTradingAsync("admin", null, CancellationToken.None);""")]
    [InlineData("""private async Task SaveAsync() { var actor = (await AuthenticationState).User.Identity!.Name!; await Commands.SetLimitsAsync(actor, _limits, default); }""")]
    [InlineData("""private async Task SaveAsync() { var actor = DeskActor.AdminName(user); await Commands.SetLimitsAsync(actor!, _limits, default); }""")]
    public void A_handler_that_skips_the_role_check_is_caught(string component)
    {
        var problems = new List<string>();

        var calls = Check(component, "Example.razor", problems);

        Assert.Equal(1, calls);
        Assert.NotEmpty(problems);
    }

    /// <summary>Finds the command calls in one component's source; adds a problem for each that may act for a non-admin.</summary>
    private static int Check(string source, string name, List<string> problems)
    {
        var calls = 0;
        foreach (Match call in CallPattern().Matches(source))
        {
            if (!Commands.Value.TryGetValue(call.Groups["method"].Value, out var actorIndex)) continue;
            calls++;
            var arguments = Arguments(source, call.Index + call.Length);
            var line = source[..call.Index].Count(c => c == '\n') + 1;
            if (arguments.Count <= actorIndex || arguments[actorIndex] != "actor")
            {
                problems.Add($"{name}:{line}: {call.Groups["method"].Value} is called with '{(arguments.Count > actorIndex ? arguments[actorIndex] : "?")}' as the actor; pass the admin's name from DeskActor.AdminName.");
            }
        }
        if (calls == 0) return 0;
        if (!source.Contains("DeskActor.AdminName(", StringComparison.Ordinal))
        {
            problems.Add($"{name}: changes state but never asks DeskActor.AdminName for the acting admin.");
        }
        if (!RefusalPattern().IsMatch(source))
        {
            problems.Add($"{name}: changes state but never refuses when the user is not an admin (if (actor is null) ...).");
        }
        // Every value given to a variable named actor comes from the role check (directly or via a helper that does it).
        var helpers = HelperPattern().Matches(source).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        foreach (Match assignment in AssignmentPattern().Matches(source))
        {
            var value = assignment.Groups["value"].Value;
            if (value.Contains("DeskActor.AdminName(", StringComparison.Ordinal) || helpers.Any(h => value.Contains(h + "(", StringComparison.Ordinal))) continue;
            problems.Add($"{name}: actor = {value.Trim()} does not come from DeskActor.AdminName.");
        }
        return calls;
    }

    /// <summary>Public methods taking the acting user as <c>string actor</c>, by name, with that parameter's position.</summary>
    private static readonly Lazy<Dictionary<string, int>> Commands = new(() =>
        new[] { typeof(ArbBot.Engine.Control.DeskCommands).Assembly, typeof(ArbBot.Web.Components.DeskActor).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (m.Name, Index: Array.FindIndex(m.GetParameters(), p => p.Name == "actor" && p.ParameterType == typeof(string))))
            .Where(m => m.Index >= 0)
            .GroupBy(m => m.Name)
            .ToDictionary(g => g.Key, g => g.Min(m => m.Index), StringComparer.Ordinal));

    /// <summary>The top-level arguments of a call whose opening parenthesis ends at <paramref name="start"/>.</summary>
    private static List<string> Arguments(string source, int start)
    {
        var arguments = new List<string>();
        var depth = 0;
        var from = start;
        for (var i = start; i < source.Length; i++)
        {
            var c = source[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                if (depth == 0)
                {
                    arguments.Add(source[from..i].Trim());
                    break;
                }
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(source[from..i].Trim());
                from = i + 1;
            }
        }
        return arguments;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ArbBot.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("ArbBot.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"\.(?<method>[A-Z]\w*)\(")]
    private static partial Regex CallPattern();

    [GeneratedRegex(@"if \(actor is null\)")]
    private static partial Regex RefusalPattern();

    [GeneratedRegex(@"(?<![=!<>])\bactor\s*=(?![=>])(?<value>[^;]+);")]
    private static partial Regex AssignmentPattern();

    // A helper method whose body (an expression or the next lines) asks DeskActor.AdminName: "Task<string?> XAsync() => ... AdminName".
    [GeneratedRegex(@"(?<name>\w+)\(\)\s*=>[^;]*DeskActor\.AdminName\(", RegexOptions.Singleline)]
    private static partial Regex HelperPattern();
}
