import { InterestClassifier } from './interest-classifier';

describe('InterestClassifier (French and English, stemmed)', () => {
  const classifier = new InterestClassifier(['coffee', 'sneakers', 'beauty', 'bakery']);

  it.each([
    ['je cherche des baskets', ['sneakers']],
    ['any coffee deals?', ['coffee']],
    ['Vous avez des cafés crème ?', ['coffee']],
    ['looking for new trainers and an espresso', ['coffee', 'sneakers']],
    ['un parfum pour ma mère', ['beauty']],
    ['des croissants tout chauds', ['bakery']],
    ['MAQUILLAGE', ['beauty']],
    ['bonjour, vous êtes ouverts ?', []],
    ['hello there', []],
  ])('%s → %j', (text, expected) => {
    expect(Object.keys(classifier.classify(text)).sort()).toEqual(expected);
  });

  it('classifies only into the categories the brand targets', () => {
    expect(new InterestClassifier(['coffee']).classify('je cherche des baskets')).toEqual({});
  });

  it('knows a category it has no seed words for by its own name', () => {
    expect(Object.keys(new InterestClassifier(['vinyl records']).classify('any vinyl left?'))).toEqual(['vinyl records']);
  });

  it('finds the seed words of a category named in another language', () => {
    expect(Object.keys(new InterestClassifier(['baskets']).classify('I need sneakers'))).toEqual(['baskets']);
  });

  it('weighs a word shared by several targeted categories less', () => {
    const scores = new InterestClassifier(['sneakers', 'sports']).classify('tennis');
    expect(scores.sneakers).toBeCloseTo(0.5);
    expect(scores.sports).toBeCloseTo(0.5);
  });
});
