using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MimeKit;

namespace Relayguard.Gateway.Dsn;

/// <summary><c>POST /api/dsn</c>: a raw bounce message in the body, read exactly as the DSN listener reads it.</summary>
public static class DsnApi
{
    /// <summary>The operations API's policy for changes; the bearer scheme comes from the operations service.</summary>
    public const string OperatePolicy = "operations-operate";

    public static IEndpointRouteBuilder MapDsnApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/dsn", ReceiveAsync).RequireAuthorization(OperatePolicy);
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, DsnIntake intake, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        if (body.Length == 0)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = ["The body is empty: send the raw bounce message, for example with curl --data-binary @bounce.eml."] });
        }

        body.Position = 0;
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(body, cancellationToken);
        }
        catch (FormatException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not an RFC 5322 message: {ex.Message}"] });
        }

        var result = intake.Process(message);
        return Results.Ok(new { kind = result.Kind, matched = result.Matched, gatewayMessageId = result.GatewayMessageId, bounces = result.Bounces, why = result.Why });
    }
}
