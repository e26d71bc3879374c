using System.Security.Claims;
using ArbBot.Engine.Persistence;
using ArbBot.Web.Components;

namespace ArbBot.Tests.Web.Components;

public sealed class DeskActorTests
{
    private static ClaimsPrincipal User(string name, string role, string? authenticationType = "Cookies") =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], authenticationType));

    [Fact]
    public void Admin_acts_under_their_own_name() => Assert.Equal("alice", DeskActor.AdminName(User("alice", Roles.Admin)));

    [Fact]
    public void Viewer_may_not_act() => Assert.Null(DeskActor.AdminName(User("bob", Roles.Viewer)));

    [Fact]
    public void Unauthenticated_identity_may_not_act_even_with_an_admin_role_claim() =>
        Assert.Null(DeskActor.AdminName(User("mallory", Roles.Admin, authenticationType: null)));

    [Fact]
    public void Nobody_signed_in_may_not_act()
    {
        Assert.Null(DeskActor.AdminName(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Null(DeskActor.AdminName(null));
    }
}
