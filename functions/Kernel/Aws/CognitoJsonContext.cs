using System.Text.Json.Serialization;

namespace Serverless.Kernel.Aws;

/// <summary>Input of AdminGetUser, AdminDeleteUser, AdminDisableUser and AdminUserGlobalSignOut.</summary>
public sealed record AdminUserRequest(string UserPoolId, string Username);

/// <summary>An attribute of a Cognito user (<c>AttributeType</c>).</summary>
public sealed record CognitoAttribute(string Name, string? Value);

/// <summary>The output of AdminGetUser, the members the suite reads.</summary>
/// <remarks>Settable, not init-only: the source generator would reset an absent init-only member to null, bypassing its
/// initializer.</remarks>
public sealed record AdminGetUserResponse
{
    public string Username { get; set; } = "";

    public List<CognitoAttribute> UserAttributes { get; set; } = [];

    public bool Enabled { get; set; }

    /// <summary><c>UNCONFIRMED</c>, <c>CONFIRMED</c>, <c>FORCE_CHANGE_PASSWORD</c>, ...</summary>
    public string? UserStatus { get; set; }

    /// <summary>Seconds since the Unix epoch, as the service sends timestamps.</summary>
    public double? UserCreateDate { get; set; }

    public double? UserLastModifiedDate { get; set; }

    /// <summary>The value of one attribute (<c>email</c>, <c>sub</c>, <c>custom:tenant</c>), or null.</summary>
    public string? Attribute(string name) =>
        UserAttributes?.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal))?.Value;
}

/// <summary>An output the caller does not read.</summary>
public sealed record CognitoEmptyResponse;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminUserRequest))]
[JsonSerializable(typeof(AdminGetUserResponse))]
[JsonSerializable(typeof(CognitoEmptyResponse))]
internal sealed partial class CognitoJsonContext : JsonSerializerContext;
