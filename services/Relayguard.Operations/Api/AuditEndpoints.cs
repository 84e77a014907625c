using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Relayguard.Operations.Audit;

namespace Relayguard.Operations.Api;

/// <summary>The <c>/api/audit</c> endpoint: every block, lift, allowlist and token change, newest first.</summary>
internal static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder api) => QueryParameters.Allow(api.MapGet("/audit", List), "kind", "subject", "limit", "after");

    private static IResult List(string? kind, string? subject, string? limit, string? after, IAuditLog audit)
    {
        var errors = new ApiErrors();
        var kindValue = ApiInput.Kind(kind, errors, required: false);
        var subjectValue = subject is null || kindValue is null ? subject : ApiInput.Subject(kindValue, subject, errors);
        var limitValue = ApiInput.Limit(limit, errors);
        long afterId = 0;
        ApiInput.Cursor(after, text => IAuditLog.TryParseCursor(text, kindValue, subjectValue, out afterId), errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }

        return Results.Ok(audit.List(limitValue, after is null ? null : afterId, kindValue, subjectValue));
    }
}
