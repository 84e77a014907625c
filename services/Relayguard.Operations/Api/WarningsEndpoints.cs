using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Operations.Warnings;

namespace Relayguard.Operations.Api;

/// <summary>The <c>/api/warnings</c> endpoint: the newest early warnings, of one account or of all.</summary>
internal static class WarningsEndpoints
{
    public static void Map(IEndpointRouteBuilder api) => QueryParameters.Allow(api.MapGet("/warnings", List), "account", "limit");

    private static IResult List(string? account, string? limit, IWarningStore store)
    {
        var errors = new ApiErrors();
        var accountValue = account is null ? null : ApiInput.Account(account, errors);
        var limitValue = ApiInput.Limit(limit, errors);
        return errors.Any ? errors.ToResult() : Results.Ok(new { items = store.List(accountValue, limitValue) });
    }
}
