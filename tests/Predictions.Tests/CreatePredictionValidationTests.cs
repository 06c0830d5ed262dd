namespace Serverless.Predictions.Tests;

public sealed class CreatePredictionValidationTests
{
    [Fact]
    public void One_to_32_texts_of_up_to_5000_characters_are_accepted()
    {
        Assert.Empty(CreatePrediction.Validate(new NewPrediction(["I love it."])));
        Assert.Empty(CreatePrediction.Validate(new NewPrediction(Enumerable.Repeat(new string('a', 5_000), 32).ToList())));
    }

    [Fact]
    public void No_texts_or_more_than_32_is_an_error_on_texts()
    {
        Assert.Equal(["texts"], CreatePrediction.Validate(new NewPrediction(null)).Keys);
        Assert.Equal(["texts"], CreatePrediction.Validate(new NewPrediction([])).Keys);
        var errors = CreatePrediction.Validate(new NewPrediction(Enumerable.Repeat("fine", 33).ToList()));
        Assert.Equal(["texts"], errors.Keys);
        Assert.Contains("33", errors["texts"][0]);
    }

    [Fact]
    public void Each_empty_blank_or_too_long_text_is_an_error_on_its_index()
    {
        var errors = CreatePrediction.Validate(new NewPrediction(["fine", "", "  \t\n", null, new string('a', 5_001), "fine"]));

        Assert.Equal(["texts[1]", "texts[2]", "texts[3]", "texts[4]"], errors.Keys.Order());
        Assert.Contains("5,001", errors["texts[4]"][0]);
    }
}
