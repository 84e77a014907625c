using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Operations.Tokens;

namespace Relayguard.Operations.Api;

/// <summary>
/// Authenticates <c>Authorization: Bearer TOKEN</c> against the <see cref="ITokenStore"/>. The principal's name
/// is the token's name and its role the token's role. Challenges (401) and refusals (403) get RFC 7807 bodies.
/// </summary>
internal sealed class OperatorTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ITokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header does not hold a bearer token."));
        }

        var token = tokens.Verify(header[BearerPrefix.Length..]);
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not a known operator token."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, token.Name), new Claim(ClaimTypes.Role, token.Role)],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = !string.IsNullOrEmpty(Request.Headers.Authorization);
        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        var detail = presented
            ? "The Authorization header does not hold a valid operator token. Send 'Authorization: Bearer TOKEN' with the token from DATA/ops-token or one made by 'relayguard tokens add'."
            : "Missing Authorization header. Send 'Authorization: Bearer TOKEN' with the token from DATA/ops-token or one made by 'relayguard tokens add'.";
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var detail = $"The token '{Context.User.Identity?.Name}' has the read role, which cannot change anything. " +
            "Use a token with the operate role ('relayguard tokens add NAME --role operate').";
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(Context);
    }
}
