using System.Security.Claims;
using ArbBot.Engine.Persistence;

namespace ArbBot.Web.Components;

/// <summary>
/// Who may change the desk from the dashboard. Components ask this inside every change handler, because a hidden or
/// disabled button is only a hint: a Viewer's circuit can still invoke a handler, so the server decides.
/// </summary>
public static class DeskActor
{
    /// <summary>The signed-in user's name when they are an Admin; null for a Viewer or anyone not signed in.</summary>
    public static string? AdminName(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true, Name: { Length: > 0 } name }) return null;
        return user.IsInRole(Roles.Admin) ? name : null;
    }
}
