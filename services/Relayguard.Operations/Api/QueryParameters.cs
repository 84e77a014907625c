using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Relayguard.Operations.Api;

/// <summary>
/// The query parameters an API endpoint reads, as endpoint metadata. <see cref="RejectUnknownAsync"/> answers a
/// request with any other parameter with 400, as <see cref="JsonBody"/> does for an unknown body field, because a
/// misspelt filter (<c>?subjet=erin</c>) would otherwise be ignored and the unfiltered list returned.
/// </summary>
internal sealed class QueryParameters
{
    private QueryParameters(IReadOnlyList<string> names, bool any)
    {
        Names = names;
        Any = any;
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>True for the fallback of unknown paths, which answers 404 whatever the query.</summary>
    public bool Any { get; }

    /// <summary>Declares the query parameters of an endpoint; with none, the endpoint takes no query.</summary>
    public static TBuilder Allow<TBuilder>(TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryParameters(names, any: false));

    public static TBuilder AllowAny<TBuilder>(TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryParameters([], any: true));

    /// <summary>
    /// An endpoint filter for the API group. An endpoint without <see cref="QueryParameters"/> metadata takes no
    /// query parameters. Names are compared ignoring case, as minimal APIs bind them.
    /// </summary>
    public static async ValueTask<object?> RejectUnknownAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var allowed = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<QueryParameters>();
        if (allowed is { Any: true })
        {
            return await next(context);
        }

        var names = allowed?.Names ?? [];
        var unknown = context.HttpContext.Request.Query.Keys
            .Where(key => !names.Contains(key, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (unknown.Count == 0)
        {
            return await next(context);
        }

        var use = names.Count == 0 ? "this endpoint takes no query parameters" : $"use only {string.Join(", ", names)}";
        var errors = new ApiErrors();
        errors.AddUnknown(
            unknown,
            name => $"Unknown query parameter '{name}': {use}.",
            "query",
            count => $"{count} more unknown query parameters are not listed: {use}.");
        return errors.ToResult();
    }
}
