using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Contracts;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Api;

/// <summary>The <c>/api/blocks</c> endpoints: list, show one subject, lift, and set a manual block.</summary>
internal static class BlocksEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var blocks = api.MapGroup("/blocks");
        QueryParameters.Allow(blocks.MapGet("", List), "kind", "code", "subject", "state", "limit", "after");
        blocks.MapGet("/{kind}/{subject}", Show);
        blocks.MapPost("/{kind}/{subject}/lift", LiftAsync).RequireAuthorization(OperationsAuthorization.OperatePolicy);
        blocks.MapPost("", BlockAsync).RequireAuthorization(OperationsAuthorization.OperatePolicy);
    }

    private static IResult List(string? kind, string? code, string? subject, string? state, string? limit, string? after, IBlockStore store)
    {
        var errors = new ApiErrors();
        var (kindValue, subjectValue) = ApiInput.SubjectFilter(ApiInput.Kind(kind, errors, required: false), subject, errors);
        var query = new BlockQuery
        {
            Kind = kindValue,
            Code = ApiInput.Code(code, errors),
            Subject = subjectValue,
            State = ApiInput.State(state, errors),
            Limit = ApiInput.Limit(limit, errors),
            After = after,
        };
        if (!errors.Any)
        {
            ApiInput.Cursor(after, text => IBlockStore.CheckCursor(text, query), errors);
        }

        return errors.Any ? errors.ToResult() : Results.Ok(store.List(query));
    }

    private static IResult Show(string kind, string subject, IBlockStore store)
    {
        var errors = new ApiErrors();
        var kindValue = ApiInput.Kind(kind, errors, required: true);
        var subjectValue = ApiInput.PathSubject(kindValue, subject, errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }

        var blocks = store.ForSubject(kindValue!, subjectValue!);
        if (blocks.Count == 0)
        {
            return NotFound($"No block of {kindValue} '{subjectValue}' was ever recorded.");
        }

        var active = blocks.Any(block => block.State == BlockStates.Active);
        return Results.Ok(new SubjectBlocks(kindValue!, subjectValue!, active, blocks));
    }

    private static async Task<IResult> LiftAsync(
        string kind,
        string subject,
        HttpRequest request,
        ClaimsPrincipal user,
        BlockCommands commands,
        IBlockStore store,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<LiftRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new ApiErrors();
        var kindValue = ApiInput.Kind(kind, errors, required: true);
        var subjectValue = ApiInput.PathSubject(kindValue, subject, errors);
        var reason = ApiInput.Reason(body!.Reason, errors);
        var code = ApiInput.Code(body.Code, errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }

        LiftResult? result;
        try
        {
            result = await commands.LiftAsync(kindValue!, subjectValue!, code, user.Identity!.Name!, reason!, publishEndpoint, cancellationToken);
        }
        catch (EventPublishException)
        {
            return BusUnavailable("lift");
        }

        if (result is not null)
        {
            return Results.Ok(result);
        }

        return LiftProblems.NothingLifted(kindValue!, subjectValue!, code, store.ForSubject(kindValue!, subjectValue!));
    }

    private static async Task<IResult> BlockAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        BlockCommands commands,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ManualBlockRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new ApiErrors();
        var kind = ApiInput.Kind(body!.Kind, errors, required: true);
        var subject = ApiInput.Subject(kind, body.Subject, errors, forBlock: true);
        var code = ApiInput.Code(body.Code, errors);
        if (code is not null && code != RuleCodes.Op1)
        {
            errors.Add("code", $"Only {RuleCodes.Op1} can be set by hand; {code} blocks come from its rule. Use {RuleCodes.Op1} or leave 'code' out.");
        }

        var reason = ApiInput.Reason(body.Reason, errors);
        var duration = ApiInput.Duration(body.For, errors);
        var scope = ApiInput.Scope(body.Scope, errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }

        var manual = new ManualBlock { Kind = kind!, Subject = subject!, Scope = scope, Reason = reason!, Duration = duration };
        try
        {
            var (block, replaced) = await commands.BlockAsync(manual, user.Identity!.Name!, publishEndpoint, cancellationToken);
            if (UnknownAccountWarning(request.HttpContext.RequestServices, block) is { } warning)
            {
                block = block with { Warnings = [warning] };
            }

            // 200 when the block replaced the active one of the same subject, code and scope, as the allowlist does.
            return replaced.Count > 0
                ? Results.Ok(block)
                : Results.Created($"/api/blocks/{block.Kind}/{Uri.EscapeDataString(block.Subject)}", block);
        }
        catch (EventPublishException)
        {
            return BusUnavailable("block");
        }
    }

    /// <summary>Warns about an account block whose account the local account store does not have, which may be a typing error.</summary>
    private static string? UnknownAccountWarning(IServiceProvider services, BlockRecord block)
    {
        if (block.Kind != BlockKinds.Account)
        {
            return null;
        }

        var account = BlockSubjects.SplitAccount(block.Subject).Account;
        return LocalAccounts.Exists(services, account) == false
            ? $"No account named '{account}' is in the local account store. The block is set anyway, because the account may come from Dovecot; check the spelling if it does not."
            : null;
    }

    private static IResult NotFound(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static IResult BusUnavailable(string change) =>
        Results.Problem(
            detail: $"The message bus did not accept the {change} event, so nothing was changed. Try again when the bus is reachable.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Message bus unavailable");
}
