import EnglishStemmer from 'natural/lib/natural/stemmers/porter_stemmer';
import FrenchStemmer from 'natural/lib/natural/stemmers/porter_stemmer_fr';
import Tokenizer from 'natural/lib/natural/tokenizers/aggressive_tokenizer_fr';
import { words as englishStopwords } from 'natural/lib/natural/util/stopwords';
import { words as frenchStopwords } from 'natural/lib/natural/util/stopwords_fr';

/**
 * Classifies what a shopper writes, in French or English, into the interest categories a brand's
 * offers target. natural's tokenizer and Porter stemmers (French and English) bring every word to
 * its stem, so "cafés", "café" and "coffee" or "baskets" and "sneakers" meet the same category;
 * stop words are dropped; each stem weighs 1 / (number of target categories it belongs to), a
 * keyword IDF, so a word shared by several categories says less about each.
 *
 * Vocabulary: the category's own name, plus the seed lexicon below when the category's name
 * belongs to one of its entries (a brand targeting "baskets" gets the "sneakers" words).
 */
const SEED_LEXICON: Record<string, { en: string[]; fr: string[] }> = {
  coffee: { en: ['coffee', 'espresso', 'latte', 'cappuccino', 'barista', 'mocha', 'decaf'], fr: ['café', 'expresso', 'cappuccino', 'crème', 'noisette', 'déca'] },
  bakery: { en: ['bakery', 'bread', 'croissant', 'pastry', 'baguette', 'cake', 'muffin'], fr: ['boulangerie', 'pain', 'croissant', 'viennoiserie', 'pâtisserie', 'baguette', 'gâteau'] },
  sneakers: { en: ['sneaker', 'trainer', 'running shoe', 'kicks'], fr: ['basket', 'sneaker', 'tennis', 'running'] },
  shoes: { en: ['shoe', 'boot', 'sandal', 'heel', 'loafer'], fr: ['chaussure', 'botte', 'sandale', 'escarpin', 'mocassin'] },
  fashion: { en: ['clothes', 'clothing', 'dress', 'shirt', 'jeans', 'jacket', 'coat', 'fashion', 'outfit'], fr: ['vêtement', 'robe', 'chemise', 'jean', 'veste', 'manteau', 'mode', 'tenue', 'pull'] },
  beauty: { en: ['beauty', 'makeup', 'perfume', 'lipstick', 'skincare', 'cosmetics', 'mascara'], fr: ['beauté', 'maquillage', 'parfum', 'rouge', 'soin', 'cosmétique', 'mascara'] },
  electronics: { en: ['phone', 'laptop', 'headphones', 'tablet', 'camera', 'charger', 'electronics', 'tv'], fr: ['téléphone', 'portable', 'ordinateur', 'casque', 'tablette', 'appareil', 'chargeur', 'télé'] },
  sports: { en: ['sport', 'fitness', 'gym', 'yoga', 'bike', 'football', 'tennis'], fr: ['sport', 'fitness', 'gym', 'yoga', 'vélo', 'foot', 'football'] },
  books: { en: ['book', 'novel', 'comic', 'reading', 'bookshop'], fr: ['livre', 'roman', 'bd', 'lecture', 'librairie'] },
  toys: { en: ['toy', 'game', 'lego', 'doll', 'puzzle'], fr: ['jouet', 'jeu', 'lego', 'poupée', 'puzzle'] },
  wine: { en: ['wine', 'champagne', 'bottle', 'red', 'rosé'], fr: ['vin', 'champagne', 'bouteille', 'rouge', 'rosé'] },
  grocery: { en: ['grocery', 'groceries', 'fruit', 'vegetable', 'cheese', 'organic'], fr: ['épicerie', 'courses', 'fruit', 'légume', 'fromage', 'bio'] },
};

const STOPWORDS = new Set([...englishStopwords, ...frenchStopwords].map(fold));
const tokenizer = new Tokenizer();

function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

/** Every stem a word may have: French and English Porter stems of the word, accents folded. */
function stemsOf(word: string): string[] {
  const lower = word.toLowerCase();
  const stems = new Set([fold(FrenchStemmer.stem(lower)), fold(EnglishStemmer.stem(lower)), fold(FrenchStemmer.stem(fold(lower)))]);
  return [...stems].filter((s) => s.length >= 2);
}

function tokens(text: string): string[] {
  return tokenizer.tokenize(text).filter((t) => t.length >= 2 && !STOPWORDS.has(fold(t)));
}

/** A compiled classifier for one set of target categories (build once per brand catalog). */
export class InterestClassifier {
  /** stem → categories whose vocabulary has it. */
  private readonly index = new Map<string, Set<string>>();

  constructor(readonly categories: readonly string[]) {
    for (const category of categories) {
      const vocabulary = [...category.split(/[\s_-]+/)];
      const ownStems = new Set(vocabulary.flatMap(stemsOf));
      for (const [seed, words] of Object.entries(SEED_LEXICON)) {
        const seedWords = [seed, ...words.en, ...words.fr];
        if (seedWords.some((w) => stemsOf(w).some((s) => ownStems.has(s)))) vocabulary.push(...seedWords);
      }
      for (const phrase of vocabulary) {
        for (const word of tokens(phrase)) {
          for (const stem of stemsOf(word)) {
            const set = this.index.get(stem) ?? new Set<string>();
            set.add(category.toLowerCase());
            this.index.set(stem, set);
          }
        }
      }
    }
  }

  /** Category → confidence in (0, 1] for the categories the text is about; {} when none. */
  classify(text: string): Record<string, number> {
    const scores: Record<string, number> = {};
    for (const word of tokens(text)) {
      const matched = new Set<string>();
      for (const stem of stemsOf(word)) for (const c of this.index.get(stem) ?? []) matched.add(c);
      for (const category of matched) scores[category] = Math.min(1, (scores[category] ?? 0) + 1 / matched.size);
    }
    return scores;
  }
}
