using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
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
        api.AddEndpointFilter(RequestBodyLimit.ProblemOnTooLargeAsync);
        api.AddEndpointFilter(QueryParameters.RejectUnknownAsync);
        BlocksEndpoints.Map(api);
        AuditEndpoints.Map(api);
        AllowlistEndpoints.Map(api);
        WarningsEndpoints.Map(api);
        AccountEndpoints.Map(api);
        SessionEndpoints.Map(api);
        QueryParameters.AllowAny(api.MapFallback("{**path}", UnknownPath));
        ConsoleEndpoints.Map(endpoints);
        return endpoints;
    }

    /// <summary>
    /// Answers a request that no endpoint took. The fallback matches every method, so it also takes a known path with
    /// the wrong method, which gets 405 with an <c>Allow</c> header instead of 404.
    /// </summary>
    private static IResult UnknownPath(HttpContext context)
    {
        var request = context.Request;
        var allowed = AllowedMethods(context.RequestServices.GetRequiredService<EndpointDataSource>(), request.Path);
        if (allowed.Count > 0)
        {
            context.Response.Headers.Allow = string.Join(", ", allowed);
            return Results.Problem(
                detail: $"{request.Path} does not take {request.Method}: use {string.Join(" or ", allowed)}.",
                statusCode: StatusCodes.Status405MethodNotAllowed,
                title: "Method not allowed");
        }

        return Results.Problem(
            detail: $"No API endpoint matches {request.Method} {request.Path}. A subject in the path must be percent-encoded, with '/' as %2F: /api/blocks/ip/2001%3Adb8%3A%3A%2F64.",
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found");
    }

    /// <summary>Returns the methods of the endpoints whose route matches <paramref name="path"/>, leaving out catch-all routes such as this fallback.</summary>
    private static List<string> AllowedMethods(EndpointDataSource dataSource, PathString path)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in dataSource.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methodMetadata
                || endpoint.RoutePattern.Parameters.Any(parameter => parameter.IsCatchAll))
            {
                continue;
            }

            var matcher = new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary(endpoint.RoutePattern.Defaults));
            if (matcher.TryMatch(path, new RouteValueDictionary()))
            {
                methods.UnionWith(methodMetadata.HttpMethods);
            }
        }

        return [.. methods];
    }
}
