using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer.Tests.Vader;

/// <summary>Python's round(), as printed by CPython 3 for the same inputs.</summary>
public sealed class PythonMathTests
{
    [Theory]
    [InlineData(2.675, 2, 2.67)] // 2.675 is stored just below the tie
    [InlineData(0.125, 2, 0.12)] // an exact tie goes to even
    [InlineData(0.375, 2, 0.38)]
    [InlineData(1.0005, 3, 1.0)]
    [InlineData(0.12345, 4, 0.1235)] // stored just above the tie
    [InlineData(-0.0005, 3, -0.001)]
    [InlineData(0.00005, 4, 0.0001)]
    [InlineData(0.5, 0, 0.0)]
    [InlineData(1.5, 0, 2.0)]
    [InlineData(0.83156, 4, 0.8316)]
    public void Round_matches_python(double value, int digits, double expected)
    {
        Assert.Equal(expected, PythonMath.Round(value, digits));
    }
}
