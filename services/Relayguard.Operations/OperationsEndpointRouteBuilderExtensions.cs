using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Operations.Api;
using Relayguard.Operations.WebConsole;

namespace Relayguard.Operations;

public static class OperationsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the operations API under <c>/api</c> and the web console at <c>/</c>. Every path under <c>/api</c> needs a
    /// valid operator token, unknown paths included, and changes need the operate role. The console's page is open,
    /// and its data comes from the API. The host must run the authentication and authorization middleware, which
    /// <c>WebApplication</c> adds by itself once <c>AddOperations</c> has registered them.
    /// </summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(OperationsAuthorization.ReadPolicy);
        BlocksEndpoints.Map(api);
        AuditEndpoints.Map(api);
        AllowlistEndpoints.Map(api);
        WarningsEndpoints.Map(api);
        AccountEndpoints.Map(api);
        SessionEndpoints.Map(api);
        api.MapFallback("{**path}", UnknownPath);
        ConsoleEndpoints.Map(endpoints);
        return endpoints;
    }

    private static IResult UnknownPath(HttpRequest request) =>
        Results.Problem(
            detail: $"No API endpoint matches {request.Method} {request.Path}. A subject in the path must be percent-encoded, with '/' as %2F: /api/blocks/ip/2001%3Adb8%3A%3A%2F64.",
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found");
}
