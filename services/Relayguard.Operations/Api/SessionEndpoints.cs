using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Relayguard.Operations.Api;

/// <summary><c>GET /api/me</c>: the name and role of the token that made the request, so the console can sign in and hide what the role may not do.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder api) => api.MapGet("/me", Me);

    private static IResult Me(ClaimsPrincipal user) =>
        Results.Ok(new { name = user.Identity!.Name, role = user.FindFirstValue(ClaimTypes.Role) });
}
