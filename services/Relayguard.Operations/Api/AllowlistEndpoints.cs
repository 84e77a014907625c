using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Api;

/// <summary>The <c>/api/allowlist</c> endpoints: list, add (or replace) an entry, and remove a subject's entries.</summary>
internal static class AllowlistEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var allowlist = api.MapGroup("/allowlist");
        QueryParameters.Allow(allowlist.MapGet("", List), "kind", "state");
        allowlist.MapPost("", AddAsync).RequireAuthorization(OperationsAuthorization.OperatePolicy);
        QueryParameters.Allow(allowlist.MapDelete("/{kind}/{subject}", RemoveAsync), "code").RequireAuthorization(OperationsAuthorization.OperatePolicy);
    }

    private static IResult List(string? kind, string? state, IAllowlistStore store)
    {
        var errors = new ApiErrors();
        var kindValue = ApiInput.Kind(kind, errors, required: false);
        var stateValue = state?.Trim().ToLowerInvariant() ?? AllowlistStates.Active;
        if (stateValue is not (AllowlistStates.Active or AllowlistStates.All))
        {
            errors.Add("state", $"Invalid state '{state}': use {AllowlistStates.Active} or {AllowlistStates.All}.");
        }

        return errors.Any ? errors.ToResult() : Results.Ok(new { items = store.List(kindValue, stateValue) });
    }

    private static async Task<IResult> AddAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IAllowlistStore store,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AllowlistRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new ApiErrors();
        var kind = ApiInput.Kind(body!.Kind, errors, required: true);
        var subject = AllowlistInput.Subject(kind, body.Subject, errors);
        var code = AllowlistInput.Code(body.Code, errors);
        var reason = ApiInput.Reason(body.Reason, errors);
        var duration = ApiInput.Duration(body.For, errors, whenLeftOut: "to keep the entry until an operator removes it");
        if (errors.Any)
        {
            return errors.ToResult();
        }

        var entry = new NewAllowlistEntry { Kind = kind!, Subject = subject!, Code = code, Reason = reason!, Duration = duration };
        try
        {
            var result = await store.AddAsync(entry, user.Identity!.Name!, publishEndpoint, cancellationToken);
            return result.Replaced is null
                ? Results.Created($"/api/allowlist/{kind}/{Uri.EscapeDataString(subject!)}", result.Entry)
                : Results.Ok(result.Entry);
        }
        catch (EventPublishException)
        {
            return BusUnavailable();
        }
    }

    private static async Task<IResult> RemoveAsync(
        string kind,
        string subject,
        string? code,
        ClaimsPrincipal user,
        IAllowlistStore store,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var errors = new ApiErrors();
        var kindValue = ApiInput.Kind(kind, errors, required: true);
        var subjectValue = AllowlistInput.PathSubject(kindValue, subject, errors);

        // No code removes every entry of the subject; code=all removes only the entry for every rule.
        var codeValue = code is null ? null : AllowlistInput.Code(code, errors) ?? string.Empty;
        if (errors.Any)
        {
            return errors.ToResult();
        }

        IReadOnlyList<AllowlistEntry> removed;
        try
        {
            removed = await store.RemoveAsync(kindValue!, subjectValue!, codeValue, user.Identity!.Name!, publishEndpoint, cancellationToken);
        }
        catch (EventPublishException)
        {
            return BusUnavailable();
        }

        if (removed.Count > 0)
        {
            return Results.Ok(new AllowlistRemoveResult(kindValue!, subjectValue!, removed));
        }

        var missingEntry = codeValue switch
        {
            null => "entry",
            "" => "entry for every rule",
            _ => $"{codeValue} entry",
        };
        return Results.Problem(
            detail: $"No active allowlist {missingEntry} for {kindValue} '{subjectValue}', so nothing was removed. List the active entries with 'GET /api/allowlist' or 'relayguard allow list'.",
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found");
    }

    private static IResult BusUnavailable() =>
        Results.Problem(
            detail: "The message bus did not accept the allowlist event, so nothing was changed. Try again when the bus is reachable.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Message bus unavailable");
}
